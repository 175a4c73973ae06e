#include "figures/figure_data.h"

#include "core/util/error.h"
#include "figures/figure_comparison.h"
#include "figures/palette.h"

#include <array>
#include <cmath>
#include <map>
#include <string>

namespace attnscope::figures {

namespace {

SnapshotPtr requireSnapshot(const FigureInput& in, int step) {
    SnapshotPtr s = in.snapshotAt(step);
    if (!s) throw Error("The run " + in.runName.toStdString() + " has no attention snapshots to plot.");
    return s;
}

void checkLayer(const ProbeSnapshot& s, int layer) {
    if (layer < 0 || layer >= s.layers)
        throw Error("Layer " + std::to_string(layer) + " does not exist; the model has " +
                    std::to_string(s.layers) + " layers.");
}

bool hasAllMaps(const ProbeSnapshot& s) {
    const std::size_t length = std::size_t(s.length);
    return s.attention.size() == std::size_t(s.layers) * std::size_t(s.heads) * length * length;
}

int cursorStep(const FigureInput& in, const FigureRequest& req) {
    if (req.step >= 0) return req.step;
    return in.steps.empty() ? (in.snapshots.empty() ? -1 : in.snapshots.back()->step) : in.steps.back().step;
}

// A chart over training steps with the timeline's cursors: "run · what".
CurveData stepCurves(const FigureInput& in, const FigureRequest& req, const QString& what,
                     const QString& yLabel) {
    CurveData d;
    d.title = QStringLiteral("%1 · %2").arg(in.runName, what);
    d.xLabel = QStringLiteral("step");
    d.yLabel = yLabel;
    d.cursor = cursorStep(in, req);
    d.pinCursor = req.pinStep;
    return d;
}

// One line per head of `layer`, over every snapshot (all of them: no sampling away).
CurveData perHead(const FigureInput& in, const FigureRequest& req,
                  const std::vector<float> ProbeSnapshot::*field, const QString& what,
                  const QString& yLabel) {
    const SnapshotPtr first = requireSnapshot(in, -1);
    checkLayer(*first, req.layer);
    CurveData d = stepCurves(in, req, QStringLiteral("%1 · layer %2").arg(what).arg(req.layer), yLabel);
    for (int h = 0; h < first->heads; ++h)
        d.lines.push_back({QStringLiteral("H%1").arg(h), {}, categoricalColor(h), false, {}, true});
    for (const SnapshotPtr& s : in.snapshots) {
        d.x.push_back(s->step);
        for (int h = 0; h < first->heads; ++h) {
            const std::vector<float>& v = (*s).*field;
            const std::size_t i = s->headIndex(req.layer, h);
            d.lines[std::size_t(h)].y.push_back(h < s->heads && i < v.size() ? double(v[i]) : NAN);
        }
    }
    return d;
}

} // namespace

bool isMapView(FigureView view) {
    return view == FigureView::Attention || view == FigureView::Grid;
}

CurveData curveData(const FigureInput& in, const FigureRequest& req) {
    switch (req.view) {
    case FigureView::Entropy:
        return perHead(in, req, &ProbeSnapshot::entropy, QStringLiteral("attention entropy"),
                       QStringLiteral("entropy (nats)"));
    case FigureView::Logits:
        return perHead(in, req, &ProbeSnapshot::maxLogit, QStringLiteral("max attention logit"),
                       QStringLiteral("max q·k/√d"));
    case FigureView::Sinks:
        return perHead(in, req, &ProbeSnapshot::sinkScore, QStringLiteral("first-token sink score"),
                       QStringLiteral("α₁"));
    case FigureView::Training: {
        if (in.steps.empty()) throw Error("The run " + in.runName.toStdString() + " has no training steps.");
        CurveData d = stepCurves(in, req, QStringLiteral("loss"), QStringLiteral("cross-entropy (nats)"));
        d.lines = {{QStringLiteral("train"), {}, categoricalColor(0), false, {}, true},
                   {QStringLiteral("validation"), {}, categoricalColor(1), true, {}, true}};
        for (const StepRecord& r : in.steps) {
            d.x.push_back(r.step);
            d.lines[0].y.push_back(r.loss);
            d.lines[1].y.push_back(r.valLoss);
        }
        return d;
    }
    case FigureView::ExtremeTokens:
        return perHead(in, req, &ProbeSnapshot::sinkNonTrigger,
                       QStringLiteral("sink score, non-trigger queries"),
                       QStringLiteral("mean A_i0 (dormant queries)"));
    case FigureView::ValueResidual: {
        const SnapshotPtr first = requireSnapshot(in, -1);
        CurveData d = stepCurves(in, req, QStringLiteral("importance entropy per layer"),
                                 QStringLiteral("importance entropy (nats)"));
        for (int l = 0; l < first->layers; ++l)
            d.lines.push_back({QStringLiteral("L%1").arg(l), {}, categoricalColor(l), false, {}, true});
        for (const SnapshotPtr& s : in.snapshots) {
            d.x.push_back(s->step);
            for (int l = 0; l < first->layers; ++l)
                d.lines[std::size_t(l)].y.push_back(std::size_t(l) < s->importanceEntropy.size()
                                                        ? double(s->importanceEntropy[std::size_t(l)])
                                                        : NAN);
        }
        return d;
    }
    case FigureView::Extrapolation: {
        // The latest non-overlapping evaluation at each length (Press et al.'s protocol as the app runs it).
        std::map<int, std::pair<int, double>> byLength; // length → (step, loss)
        for (const EvalRecord& e : in.evals)
            if (e.mode == "nonoverlapping" &&
                (!byLength.count(e.length) || byLength[e.length].first <= e.step))
                byLength[e.length] = {e.step, e.loss};
        if (byLength.empty())
            throw Error(
                "The run " + in.runName.toStdString() +
                " has no length evaluations (attnscope-cli eval --run FILE --save, or Evaluate lengths… in "
                "the app).");
        CurveData d;
        d.title = QStringLiteral("%1 · loss against evaluation length").arg(in.runName);
        d.xLabel = QStringLiteral("evaluation length (tokens)");
        d.yLabel = QStringLiteral("validation loss (nats)");
        d.logX = true;
        d.lines = {{QStringLiteral("validation loss"), {}, categoricalColor(0), false, {}, true}};
        for (const auto& [length, stepLoss] : byLength) {
            d.x.push_back(length);
            d.lines[0].y.push_back(stepLoss.second);
        }
        return d;
    }
    default:
        throw Error("Not a curve view of a run.");
    }
}

MapData mapData(const FigureInput& in, const FigureRequest& req) {
    const SnapshotPtr s = withMaps(requireSnapshot(in, req.step), in.runPath);
    MapData d;
    d.step = s->step;
    d.length = s->length;
    const std::size_t cells = std::size_t(s->length) * s->length;
    const bool grid = req.view == FigureView::Grid;
    if (!grid) {
        checkLayer(*s, req.layer);
        if (req.head < 0 || req.head >= s->heads)
            throw Error("Head " + std::to_string(req.head) + " does not exist; layers have " +
                        std::to_string(s->heads) + " heads.");
    }
    d.layers = grid ? s->layers : 1;
    d.heads = grid ? s->heads : 1;
    // Maps are optional in a run file (NULL columns: a recorder that skipped them); map() would then point
    // into an empty vector.
    if (!hasAllMaps(*s))
        throw Error("The snapshot of step " + std::to_string(s->step) + " of " + in.runName.toStdString() +
                    " holds no attention maps (they were not recorded); plot a curve view instead.");
    const SnapshotPtr other = withMaps(in.comparison, in.comparisonPath);
    if (other && !hasAllMaps(*other))
        throw Error("The snapshot compared against (" + in.comparisonLabel.toStdString() +
                    ") holds no attention maps.");
    if (other) {
        // A difference of mismatched maps would be garbage; say why instead of drawing plain maps under
        // a "Δ" title.
        const QString mismatch = shapeMismatch(*s, QStringLiteral("%1 step %2").arg(in.runName).arg(s->step),
                                               *other, in.comparisonLabel);
        if (!mismatch.isEmpty()) throw Error(mismatch.toStdString());
    }
    d.difference = bool(other);
    for (int l = 0; l < s->layers; ++l)
        for (int h = 0; h < s->heads; ++h) {
            if (!grid && (l != req.layer || h != req.head)) continue;
            const float* a = s->map(l, h);
            const float* b = d.difference ? other->map(l, h) : nullptr;
            for (std::size_t i = 0; i < cells; ++i) d.values.push_back(b ? a[i] - b[i] : a[i]);
        }
    d.detail = d.difference ? QStringLiteral("Δ step %1 − %2").arg(s->step).arg(in.comparisonLabel)
                            : QStringLiteral("step %1").arg(s->step);
    d.title = grid ? QStringLiteral("%1 · attention").arg(in.runName)
                   : QStringLiteral("%1 · L%2 H%3").arg(in.runName).arg(req.layer).arg(req.head);
    for (std::int32_t t : s->tokens)
        d.tokenLabels << (in.tokenizer ? QString::fromStdString(in.tokenizer->display(t))
                                       : QStringLiteral("#%1").arg(t));
    return d;
}

} // namespace attnscope::figures
