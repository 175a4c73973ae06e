#include "figures/multi_figure.h"

#include "core/util/error.h"
#include "figures/figure_painter.h"
#include "figures/palette.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace attnscope::figures {

namespace {

bool perHead(FigureView view) {
    return view == FigureView::Entropy || view == FigureView::Logits || view == FigureView::Sinks ||
           view == FigureView::ExtremeTokens;
}

// Lines of one run in shades of its colour, dark to light, so the run stays recognisable.
QColor shade(const QColor& base, int index, int count) {
    if (count <= 1) return base;
    float h = 0, s = 0, l = 0, a = 0;
    base.getHslF(&h, &s, &l, &a);
    const float t = float(index) / float(count - 1);
    return QColor::fromHslF(h < 0 ? 0 : h, std::max(s, 0.35f), 0.28f + 0.34f * t, a);
}

// The chart's title without the leading "run · " that one-run figures carry.
QString withoutRun(const QString& title, const QString& run) {
    const QString prefix = run + QStringLiteral(" · ");
    return title.startsWith(prefix) ? title.mid(prefix.size()) : title;
}

std::vector<double> unionSteps(const std::vector<CurveData>& charts) {
    std::set<double> steps;
    for (const CurveData& c : charts) steps.insert(c.x.begin(), c.x.end());
    return {steps.begin(), steps.end()};
}

// `line` (values at `from`) at the steps `to`: NaN where the chart did not record that step.
std::vector<double> onSteps(const std::vector<double>& from, const std::vector<double>& line,
                            const std::vector<double>& to) {
    std::map<double, double> at;
    for (std::size_t i = 0; i < from.size() && i < line.size(); ++i) at[from[i]] = line[i];
    std::vector<double> y;
    y.reserve(to.size());
    for (double x : to) {
        const auto it = at.find(x);
        y.push_back(it == at.end() ? NAN : it->second);
    }
    return y;
}

// The shortest '/'-separated tail of each run's name that tells it from the others ("exp-a/baseline" and
// "exp-a/sigma-reparam" → "baseline", "sigma-reparam"): what legends and panel titles show. The side-car
// keeps the full names.
QStringList shortNames(const std::vector<FigureInput>& runs) {
    std::vector<int> parts(runs.size(), 1);
    QStringList shown;
    for (bool changed = true; changed;) {
        changed = false;
        shown.clear();
        for (std::size_t i = 0; i < runs.size(); ++i)
            shown << runs[i].runName.section(QLatin1Char('/'), -parts[i]);
        for (std::size_t i = 0; i < runs.size(); ++i)
            if (shown.count(shown[int(i)]) > 1 && shown[int(i)] != runs[i].runName)
                ++parts[i], changed = true;
    }
    return shown;
}

void requireRuns(const std::vector<FigureInput>& runs, std::size_t atLeast) {
    if (runs.size() < atLeast)
        throw Error("This figure needs at least " + std::to_string(atLeast) + " runs; got " +
                    std::to_string(runs.size()) + ".");
}

} // namespace

std::optional<Arrangement> parseArrangement(const QString& name) {
    if (name == QLatin1String("overlay")) return Arrangement::Overlay;
    if (name == QLatin1String("panels")) return Arrangement::Panels;
    return std::nullopt;
}

std::optional<Facet> parseFacet(const QString& name) {
    if (name == QLatin1String("run")) return Facet::Run;
    if (name == QLatin1String("layer")) return Facet::Layer;
    if (name == QLatin1String("head")) return Facet::Head;
    return std::nullopt;
}

QString facetName(Facet facet) {
    switch (facet) {
    case Facet::Run:
        return QStringLiteral("run");
    case Facet::Layer:
        return QStringLiteral("layer");
    case Facet::Head:
        return QStringLiteral("head");
    }
    return {};
}

QColor runColor(const FigureInput& run, int index) {
    return run.color.isValid() ? run.color : runColorSlot(index); // runs entering an empty set, in order
}

CurveData overlayCurves(const std::vector<FigureInput>& runs, const FigureRequest& request) {
    requireRuns(runs, 1);
    std::vector<CurveData> each;
    for (const FigureInput& run : runs) each.push_back(curveData(run, request));
    CurveData out;
    out.title = withoutRun(each.front().title, runs.front().runName);
    if (request.view == FigureView::Training) out.title += QStringLiteral(" (dashed: validation)");
    if (perHead(request.view)) out.title += QStringLiteral(" · one line per head");
    out.xLabel = each.front().xLabel;
    out.yLabel = each.front().yLabel;
    out.logX = each.front().logX;
    out.cursor = request.step; // the runs' latest steps differ: no cursor unless a step is asked for
    out.pinCursor = request.pinStep;
    out.x = unionSteps(each);
    const QStringList names = shortNames(runs);
    for (std::size_t r = 0; r < runs.size(); ++r) {
        const QColor colour = runColor(runs[r], int(r));
        const int count = int(each[r].lines.size());
        for (int i = 0; i < count; ++i) {
            const CurveLine& line = each[r].lines[std::size_t(i)];
            CurveLine l;
            l.name = runs[r].runName + QStringLiteral(" · ") + line.name;
            l.label = names[int(r)]; // the legend lists runs, once each
            l.inLegend = i == 0;
            l.color = request.view == FigureView::Training ? colour : shade(colour, i, count);
            l.dashed = line.dashed;
            l.y = onSteps(each[r].x, line.y, out.x);
            out.lines.push_back(std::move(l));
        }
    }
    return out;
}

std::vector<CurveData> curvePanels(const std::vector<FigureInput>& runs, const FigureRequest& request,
                                   Facet facet) {
    requireRuns(runs, 1);
    std::vector<CurveData> panels;
    const QStringList names = shortNames(runs);
    if (facet == Facet::Run) {
        for (std::size_t i = 0; i < runs.size(); ++i) {
            CurveData d = curveData(runs[i], request);
            d.title = names[int(i)];
            d.cursor = request.step;
            panels.push_back(std::move(d));
        }
    } else {
        if (!perHead(request.view))
            throw Error("Panels per " + facetName(facet).toStdString() +
                        " need a per-head view (entropy, logits or sinks), not " +
                        viewName(request.view).toStdString() + ".");
        int count = 0;
        for (const FigureInput& run : runs) {
            const SnapshotPtr s = run.snapshotAt(-1);
            if (!s)
                throw Error("The run " + run.runName.toStdString() + " has no attention snapshots to plot.");
            count = std::max(count, facet == Facet::Layer ? s->layers : s->heads);
        }
        for (int k = 0; k < count; ++k) {
            FigureRequest r = request;
            std::vector<FigureInput> having;
            std::vector<int> index; // each run keeps its colour in every panel
            for (std::size_t i = 0; i < runs.size(); ++i) {
                const SnapshotPtr s = runs[i].snapshotAt(-1);
                if ((facet == Facet::Layer ? s->layers : s->heads) > k)
                    having.push_back(runs[i]), index.push_back(int(i));
            }
            if (facet == Facet::Layer) {
                r.layer = k;
                for (std::size_t i = 0; i < having.size(); ++i)
                    having[i].color = runColor(runs[std::size_t(index[i])], index[i]);
                CurveData d = overlayCurves(having, r);
                d.title = QStringLiteral("layer %1").arg(k);
                panels.push_back(std::move(d));
            } else {
                // One line per run: head k of the requested layer.
                std::vector<CurveData> each;
                for (const FigureInput& run : having) each.push_back(curveData(run, r));
                CurveData d;
                d.title = QStringLiteral("L%1 H%2").arg(request.layer).arg(k);
                d.xLabel = each.front().xLabel;
                d.yLabel = each.front().yLabel;
                d.cursor = request.step;
                d.x = unionSteps(each);
                for (std::size_t i = 0; i < having.size(); ++i) {
                    CurveLine l;
                    l.name = having[i].runName + QStringLiteral(" · H%1").arg(k);
                    l.label = names[index[i]];
                    l.color = runColor(runs[std::size_t(index[i])], index[i]);
                    l.y = onSteps(each[i].x, each[i].lines[std::size_t(k)].y, d.x);
                    d.lines.push_back(std::move(l));
                }
                panels.push_back(std::move(d));
            }
        }
    }
    // Shared axes: every panel spans the union of the steps and the range of every plotted value.
    double xLo = INFINITY, xHi = -INFINITY, yLo = INFINITY, yHi = -INFINITY;
    for (const CurveData& d : panels) {
        for (double x : d.x) xLo = std::min(xLo, x), xHi = std::max(xHi, x);
        for (const CurveLine& l : d.lines)
            for (double y : l.y)
                if (std::isfinite(y)) yLo = std::min(yLo, y), yHi = std::max(yHi, y);
    }
    if (std::isfinite(xLo) && std::isfinite(yLo))
        for (CurveData& d : panels) {
            d.xRange = {xLo, xHi};
            d.yRange = {yLo, yHi};
        }
    return panels;
}

MapData sideBySideMaps(const std::vector<FigureInput>& runs, const FigureRequest& request) {
    requireRuns(runs, 2);
    if (runs.size() > 2)
        throw Error("Attention maps side by side take two runs; got " + std::to_string(runs.size()) + ".");
    const MapData a = mapData(runs[0], request), b = mapData(runs[1], request);
    if (a.layers != b.layers || a.heads != b.heads || a.length != b.length)
        throw Error(
            QStringLiteral("Cannot show “%1” (%2 × %3 maps of T=%4) beside “%5” (%6 × %7 of T=%8) on one "
                           "scale: the maps differ in shape.")
                .arg(runs[0].runName)
                .arg(a.layers)
                .arg(a.heads)
                .arg(a.length)
                .arg(runs[1].runName)
                .arg(b.layers)
                .arg(b.heads)
                .arg(b.length)
                .toStdString());
    MapData out;
    out.layers = a.layers;
    out.heads = 2 * a.heads; // row l: the heads of run A, then those of run B
    out.length = a.length;
    out.difference = a.difference || b.difference;
    out.step = a.step;
    out.tokenLabels = a.tokenLabels;
    const std::size_t cells = std::size_t(a.length) * a.length;
    for (int l = 0; l < a.layers; ++l)
        for (const MapData* m : {&a, &b})
            for (int h = 0; h < a.heads; ++h) {
                const auto begin = m->values.begin() + std::ptrdiff_t((std::size_t(l) * a.heads + h) * cells);
                out.values.insert(out.values.end(), begin, begin + std::ptrdiff_t(cells));
            }
    const bool grid = request.view == FigureView::Grid;
    const QStringList names = shortNames(runs);
    for (int r = 0; r < 2; ++r)
        for (int h = 0; h < a.heads; ++h)
            out.columnLabels << (grid ? QStringLiteral("%1 H%2").arg(names[r]).arg(h) : names[r]);
    if (!grid) out.rowLabels << QStringLiteral("L%1").arg(request.layer);
    out.title =
        grid ? QStringLiteral("attention") : QStringLiteral("L%1 H%2").arg(request.layer).arg(request.head);
    out.detail = a.step == b.step
                     ? QStringLiteral("step %1 · one colour scale").arg(a.step)
                     : QStringLiteral("steps %1 and %2 · one colour scale").arg(a.step).arg(b.step);
    return out;
}

CurveData mergeForSidecar(const std::vector<CurveData>& panels) {
    CurveData out;
    if (panels.empty()) return out;
    out.title = panels.front().title;
    out.xLabel = panels.front().xLabel;
    out.yLabel = panels.front().yLabel;
    out.x = unionSteps(panels);
    for (const CurveData& d : panels)
        for (const CurveLine& l : d.lines) {
            CurveLine m = l;
            m.name = d.title + QStringLiteral(" · ") + l.name;
            m.y = onSteps(d.x, l.y, out.x);
            out.lines.push_back(std::move(m));
        }
    return out;
}

namespace {
QString whatOf(FigureView view) {
    switch (view) {
    case FigureView::Entropy:
        return QStringLiteral("attention entropy");
    case FigureView::Logits:
        return QStringLiteral("max attention logit");
    case FigureView::Sinks:
        return QStringLiteral("first-token sink score");
    case FigureView::Training:
        return QStringLiteral("loss (dashed: validation)");
    case FigureView::ExtremeTokens:
        return QStringLiteral("sink score, non-trigger queries");
    case FigureView::ValueResidual:
        return QStringLiteral("importance entropy per layer");
    case FigureView::Extrapolation:
        return QStringLiteral("loss against evaluation length");
    default:
        return viewName(view);
    }
}
} // namespace

ExportResult exportRuns(const std::vector<FigureInput>& runs, const MultiRequest& request,
                        const FigureOptions& options, const QString& path, bool writeSidecar) {
    return guardedExport([&](ExportResult& result) {
        requireRuns(runs, 1);
        const FigureRequest& base = request.base;
        const bool map = isMapView(base.view);
        // Everything is extracted before the file is created, so a bad request leaves no file behind.
        MapData maps;
        CurveData curves;
        std::vector<CurveData> panels;
        QString title;
        if (map) {
            maps = runs.size() == 1 ? mapData(runs.front(), base) : sideBySideMaps(runs, base);
        } else if (request.arrangement == Arrangement::Overlay) {
            curves = overlayCurves(runs, base);
        } else {
            panels = curvePanels(runs, base, request.facet);
            title = whatOf(base.view);
            if (request.facet != Facet::Layer && base.view != FigureView::Training)
                title += QStringLiteral(" · layer %1").arg(base.layer);
            title += QStringLiteral(" · one panel per %1").arg(facetName(request.facet));
            curves = mergeForSidecar(panels);
        }
        writeFigureFile(path, options, viewName(base.view), [&](QPainter& p, const QSizeF& size) {
            if (map)
                paintMaps(p, size, maps, options);
            else if (panels.empty())
                paintCurves(p, size, curves, options);
            else
                paintPanels(p, size, title, panels, options);
        });
        return !writeSidecar || writeSidecarFile(path, base.view, map ? &maps : nullptr, curves, result);
    });
}

} // namespace attnscope::figures
