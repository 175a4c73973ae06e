#include "figures/figure_export.h"

#include "core/util/error.h"
#include "figures/role_chart.h"

#include "figures/figure_painter.h"

#include <QFileInfo>
#include <QImage>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QSvgGenerator>
#include <cmath>
#include <exception>
#include <stdexcept>

namespace attnscope::figures {

namespace {

constexpr double kPointsPerInch = 72.0;

} // namespace

QString sidecarPathFor(const QString& figurePath, FigureView view) {
    const QFileInfo info(figurePath);
    return info.path() + QLatin1Char('/') + info.completeBaseName() +
           (isMapView(view) ? QStringLiteral(".npy") : QStringLiteral(".csv"));
}

void writeFigureFile(const QString& path, const FigureOptions& options, const QString& title,
                     const std::function<void(QPainter&, const QSizeF&)>& paint) {
    const std::optional<FigureFormat> format = formatForPath(path);
    if (!format)
        throw std::runtime_error(
            QStringLiteral("Unknown figure format for %1: use .pdf, .svg or .png.").arg(path).toStdString());
    const QSizeF sizePt(options.widthIn * kPointsPerInch, options.heightIn * kPointsPerInch);
    // Every pen in the painters has an explicit width in points, so lines scale with the figure in every
    // format (no viewer-dependent cosmetic hairlines).
    const auto draw = [&](QPainter& painter) {
        if (!painter.isActive()) throw std::runtime_error("cannot write " + path.toStdString());
        painter.setRenderHint(QPainter::Antialiasing, true);
        painter.setRenderHint(QPainter::TextAntialiasing, true);
        paint(painter, sizePt);
    };
    if (*format == FigureFormat::Pdf) {
        QPdfWriter pdf(path);
        pdf.setPageSize(QPageSize(QSizeF(options.widthIn, options.heightIn), QPageSize::Inch, QString(),
                                  QPageSize::ExactMatch));
        pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
        pdf.setResolution(int(kPointsPerInch)); // painter units = points
        pdf.setCreator(QStringLiteral("AttnScope " ATTNSCOPE_VERSION));
        pdf.setTitle(title);
        QPainter painter(&pdf);
        draw(painter);
    } else if (*format == FigureFormat::Svg) {
        QSvgGenerator svg;
        svg.setFileName(path);
        svg.setResolution(int(kPointsPerInch)); // width/height attributes in mm follow from size / 72 dpi
        svg.setSize(QSize(int(std::lround(sizePt.width())), int(std::lround(sizePt.height()))));
        svg.setViewBox(QRectF(QPointF(0, 0), sizePt));
        svg.setTitle(title);
        svg.setDescription(QStringLiteral("AttnScope figure"));
        QPainter painter(&svg);
        draw(painter);
    } else {
        QImage image(int(std::lround(options.widthIn * options.dpi)),
                     int(std::lround(options.heightIn * options.dpi)), QImage::Format_ARGB32_Premultiplied);
        image.fill(Qt::white);
        // Fonts resolve their point size against the device DPI: paint at 72 dpi with a scaled painter,
        // then stamp the real DPI into the PNG's metadata.
        const int dpm72 = int(std::lround(kPointsPerInch / 0.0254));
        image.setDotsPerMeterX(dpm72);
        image.setDotsPerMeterY(dpm72);
        {
            QPainter painter(&image);
            painter.scale(options.dpi / kPointsPerInch, options.dpi / kPointsPerInch);
            draw(painter);
        }
        const int dpm = int(std::lround(options.dpi / 0.0254));
        image.setDotsPerMeterX(dpm);
        image.setDotsPerMeterY(dpm);
        if (!image.save(path, "PNG")) throw std::runtime_error("cannot write " + path.toStdString());
    }
}

ExportResult guardedExport(const std::function<bool(ExportResult& result)>& write) {
    ExportResult result;
    try {
        result.ok = write(result);
    } catch (const std::exception& e) {
        result.ok = false;
        result.error = QString::fromStdString(e.what());
    }
    return result;
}

ExportResult exportFigure(const FigureInput& input, const FigureRequest& request,
                          const FigureOptions& options, const QString& path, bool writeSidecar) {
    if (request.view == FigureView::Roles)
        return exportRoleChart(input, request, options, path, writeSidecar);
    return guardedExport([&](ExportResult& result) {
        // Extract first so a bad layer/step is reported before any file is created.
        const bool map = isMapView(request.view);
        const MapData maps = map ? mapData(input, request) : MapData{};
        const CurveData curves = map ? CurveData{} : curveData(input, request);
        writeFigureFile(path, options, viewName(request.view), [&](QPainter& painter, const QSizeF& sizePt) {
            if (map)
                paintMaps(painter, sizePt, maps, options);
            else
                paintCurves(painter, sizePt, curves, options);
        });
        return !writeSidecar || writeSidecarFile(path, request.view, map ? &maps : nullptr, curves, result);
    });
}

ExportResult exportRoleChart(const FigureInput& input, const FigureRequest& request,
                             const FigureOptions& options, const QString& path, bool writeSidecar) {
    return guardedExport([&](ExportResult& result) {
        const RunRoles roles = analyseRoles(input.snapshots, input.steps);
        if (roles.history.steps.empty())
            throw Error("The run " + input.runName.toStdString() +
                        " records no head scores (it was written before AttnScope recorded them).");
        RoleChartMarks marks;
        for (const Event& e : input.events)
            if (e.kind == EventKind::PhaseChange) marks.phaseStep = e.step;
        if (!marks.phaseStep && roles.phaseChange) marks.phaseStep = roles.phaseChange->step;
        if (request.step >= 0) marks.cursorStep = request.step;
        marks.legend = options.legend;
        if (options.title) marks.title = QStringLiteral("%1 · head roles over training").arg(input.runName);
        writeFigureFile(path, options, viewName(request.view), [&](QPainter& painter, const QSizeF& sizePt) {
            QFont font(options.fontFamily);
            font.setPointSizeF(options.fontPt);
            painter.setFont(font);
            paintRoleChart(painter, QRectF(QPointF(0, 0), sizePt), roles.history, marks);
        });
        if (writeSidecar) {
            result.sidecarPath = sidecarPathFor(path, request.view);
            if (!writeRoleCsv(roles.history, result.sidecarPath, &result.error)) return false;
        }
        return true;
    });
}

bool writeSidecarFile(const QString& figurePath, FigureView view, const MapData* maps,
                      const CurveData& curves, ExportResult& result) {
    result.sidecarPath = sidecarPathFor(figurePath, view);
    QString error;
    const bool ok = maps ? writeMapNpy(*maps, result.sidecarPath, &error)
                         : writeCurveCsv(curves, result.sidecarPath, &error);
    if (!ok) result.error = error;
    return ok;
}

} // namespace attnscope::figures
