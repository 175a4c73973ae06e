#pragma once
// Writes a figure file (PDF, SVG or PNG by suffix) at the requested physical size, plus a side-car with
// exactly the plotted numbers: <name>.csv for curves, <name>.npy (float32, C order) for maps. The one entry
// point used by the GUI export dialog and by `attnscope-cli plot`, so both produce the same file.
#include "figures/figure_data.h"

#include <QSizeF>
#include <QString>
#include <functional>

class QPainter;

namespace attnscope::figures {

struct ExportResult {
    bool ok = false;
    QString error;       // user-facing sentence when !ok
    QString sidecarPath; // empty when not written
};

// Runs `write`, which returns whether everything was written (filling `result`'s side-car path, or its
// error), and turns an exception into the result's error sentence: every export reports, none throws.
ExportResult guardedExport(const std::function<bool(ExportResult& result)>& write);

// Needs a QGuiApplication (fonts); attnscope-plot makes one on the offscreen platform.
ExportResult exportFigure(const FigureInput& input, const FigureRequest& request,
                          const FigureOptions& options, const QString& path, bool writeSidecar = true);

// The role-over-time chart (figures/role_chart.h) of the run, with its CSV side-car; exportFigure for
// FigureView::Roles.
ExportResult exportRoleChart(const FigureInput& input, const FigureRequest& request,
                             const FigureOptions& options, const QString& path, bool writeSidecar);

// Creates the file at `path` (PDF, SVG or PNG by its suffix) at options' size and lets `paint` draw the page
// in points. Throws std::runtime_error when the format is unknown or the file cannot be written.
void writeFigureFile(const QString& path, const FigureOptions& options, const QString& title,
                     const std::function<void(QPainter&, const QSizeF&)>& paint);

// The side-car path for a figure path: fig.pdf → fig.csv (curves) or fig.npy (maps).
QString sidecarPathFor(const QString& figurePath, FigureView view);
bool writeCurveCsv(const CurveData& data, const QString& path, QString* error);
bool writeMapNpy(const MapData& data, const QString& path, QString* error);
// Writes the side-car of a figure at `figurePath` (maps as .npy when `maps` is given, else curves as .csv)
// into result: sidecarPath, and error when it fails. Returns whether it was written.
bool writeSidecarFile(const QString& figurePath, FigureView view, const MapData* maps,
                      const CurveData& curves, ExportResult& result);

} // namespace attnscope::figures
