#include "figures/sweep_figure.h"

#include "core/sweep/cells_csv_reader.h"
#include "core/sweep/sweep_runner.h"
#include "core/sweep/sweep_spec.h"
#include "core/util/error.h"
#include "figures/figure_painter.h"
#include "figures/palette.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>

namespace attnscope::figures {

std::vector<int> sweepVariantOfCells(const SweepSummary& s) {
    std::vector<std::vector<std::string>> variants;
    std::vector<int> out;
    for (const CellResult& cell : s.cells) {
        std::vector<std::string> key;
        for (int a = 0; a < int(cell.labels.size()); ++a)
            if (a != s.lrAxis && a != s.seedAxis) key.push_back(cell.labels[std::size_t(a)]);
        auto it = std::find(variants.begin(), variants.end(), key);
        if (it == variants.end()) it = variants.insert(variants.end(), key);
        out.push_back(int(it - variants.begin()));
    }
    return out;
}

CurveData lrSensitivityCurves(const SweepSummary& s, const QString& sweepName) {
    if (s.lrAxis < 0) throw Error("The sweep has no learning-rate axis: there is no LR sensitivity to draw.");
    const std::string lrName = s.axisNames[std::size_t(s.lrAxis)];
    const auto lrAt = std::find(s.groupAxisNames.begin(), s.groupAxisNames.end(), lrName);
    const std::size_t lrIndex = std::size_t(lrAt - s.groupAxisNames.begin());
    // Variant (every non-LR label) → LR → mean final validation loss over seeds.
    std::map<std::string, std::map<double, double>> byVariant;
    std::vector<std::string> order;
    std::vector<double> lrs;
    for (const GroupResult& g : s.groups) {
        std::string variant;
        for (std::size_t i = 0; i < g.labels.size(); ++i)
            if (i != lrIndex) variant += (variant.empty() ? "" : " · ") + g.labels[i];
        const double lr = std::stod(g.labels[lrIndex]);
        if (!byVariant.count(variant)) order.push_back(variant);
        byVariant[variant][lr] = g.finalValLoss.mean;
        lrs.push_back(lr);
    }
    std::sort(lrs.begin(), lrs.end());
    lrs.erase(std::unique(lrs.begin(), lrs.end()), lrs.end());
    CurveData d;
    d.title = sweepName + QStringLiteral(" · final validation loss against learning rate (mean over seeds)");
    d.xLabel = QStringLiteral("peak learning rate");
    d.yLabel = QStringLiteral("final validation loss (nats)");
    d.logX = true;
    d.x = lrs;
    bool any = false;
    for (std::size_t v = 0; v < order.size(); ++v) {
        CurveLine line;
        line.name = QString::fromStdString(order[v]);
        line.color = sweepVariantColor(int(v)); // groups come in grid order: v is sweepVariantOfCells' number
        for (const LrSensitivity& sens : s.sensitivity) {
            std::string variant;
            for (const std::string& l : sens.labels) variant += (variant.empty() ? "" : " · ") + l;
            if (variant == order[v] && std::isfinite(sens.sensitivity.mean))
                line.label =
                    line.name + QStringLiteral(" (LR sens. %1)").arg(sens.sensitivity.mean, 0, 'f', 3);
        }
        for (double lr : lrs) {
            const auto& losses = byVariant[order[v]];
            const auto it = losses.find(lr);
            line.y.push_back(it == losses.end() ? NAN : it->second);
            any = any || (it != losses.end() && std::isfinite(it->second));
        }
        d.lines.push_back(std::move(line));
    }
    if (!any) throw Error("The sweep has no finished cell with a validation loss yet.");
    return d;
}

SweepSummary readSweepSummary(const std::string& folder) {
    const SweepSpec spec = readSweepManifest(folder);
    const std::vector<SweepCell> cells = expandGrid(spec);
    const std::filesystem::path csvPath = std::filesystem::path(folder) / "summary_cells.csv";
    bool runFiles = false;
    for (const SweepCell& c : cells)
        runFiles = runFiles || std::filesystem::exists(std::filesystem::path(folder) / (c.id + ".attnrun"));
    if (runFiles || !std::filesystem::exists(csvPath)) return summarizeSweep(spec, folder);
    const std::map<std::string, CellResult> csv = readCellsCsv(csvPath.string());
    std::vector<CellResult> results;
    for (const SweepCell& c : cells) {
        const auto it = csv.find(c.id);
        CellResult missing;
        missing.id = c.id;
        missing.status = "missing";
        results.push_back(it == csv.end() ? missing : it->second);
    }
    return summarize(spec, cells, std::move(results));
}

ExportResult exportLrSensitivity(const SweepSummary& summary, const QString& sweepName,
                                 const FigureOptions& options, const QString& path, bool writeSidecar) {
    return guardedExport([&](ExportResult& result) {
        const CurveData curves = lrSensitivityCurves(summary, sweepName);
        writeFigureFile(
            path, options, viewName(FigureView::LrSensitivity),
            [&](QPainter& painter, const QSizeF& sizePt) { paintCurves(painter, sizePt, curves, options); });
        return !writeSidecar || writeSidecarFile(path, FigureView::LrSensitivity, nullptr, curves, result);
    });
}

} // namespace attnscope::figures
