#include "gui/sweeps/sweep_request.h"

#include "core/train/presets.h"
#include "core/util/error.h"

#include <cmath>

namespace attnscope::gui {

namespace {

int variantAxis(const SweepSpec& spec) {
    for (int i = 0; i < int(spec.axes.size()); ++i)
        if (spec.axes[std::size_t(i)].field.empty()) return i;
    return -1;
}

} // namespace

QStringList variantLabels(const SweepSpec& spec) {
    QStringList out;
    if (const int v = variantAxis(spec); v >= 0)
        for (const std::string& l : spec.axes[std::size_t(v)].labels) out << QString::fromStdString(l);
    return out;
}

std::vector<double> lrValues(const SweepSpec& spec) {
    std::vector<double> out;
    if (const int a = spec.axisSetting("train.lr"); a >= 0)
        for (const auto& v : spec.axes[std::size_t(a)].values)
            if (v.is_number()) out.push_back(v.get<double>());
    return out;
}

int baseSteps(const SweepSpec& spec) {
    if (spec.base.contains("train") && spec.base["train"].contains("steps"))
        return spec.base["train"]["steps"].get<int>();
    if (const Preset* p = findPreset(spec.basePreset)) return p->spec.train.steps;
    return RunSpec{}.train.steps;
}

int seedCount(const SweepSpec& spec) {
    const int a = spec.axisSetting("train.seed");
    return a < 0 ? 1 : int(spec.axes[std::size_t(a)].values.size());
}

std::vector<double> parseLrList(const QString& text) {
    std::vector<double> out;
    for (const QString& part : text.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        bool ok = false;
        const double v = part.trimmed().toDouble(&ok);
        if (!ok || !(v > 0) || !std::isfinite(v))
            throw Error("“" + part.trimmed().toStdString() + "” is not a positive learning rate.");
        out.push_back(v);
    }
    if (out.empty()) throw Error("Give at least one learning rate (e.g. 1e-3, 1e-2).");
    return out;
}

QString formatLrList(const std::vector<double>& lrs) {
    QStringList parts;
    for (double v : lrs) parts << QString::number(v, 'g', 3);
    return parts.join(QStringLiteral(", "));
}

SweepSpec buildSweepSpec(const SweepRequest& request) {
    const SweepPreset* preset = findSweepPreset(request.preset);
    if (!preset) throw Error("There is no sweep preset “" + request.preset + "”.");
    SweepSpec spec = preset->spec;
    if (request.steps > 0) spec.base["train"]["steps"] = request.steps;
    if (!request.overlay.is_null()) spec.base.merge_patch(request.overlay);
    if (const int v = variantAxis(spec); v >= 0 && !request.variants.isEmpty()) {
        SweepAxis& axis = spec.axes[std::size_t(v)];
        SweepAxis kept = axis;
        kept.values.clear(), kept.labels.clear();
        for (std::size_t i = 0; i < axis.labels.size(); ++i)
            if (request.variants.contains(QString::fromStdString(axis.labels[i])))
                kept.values.push_back(axis.values[i]), kept.labels.push_back(axis.labels[i]);
        if (kept.labels.empty()) throw Error("Tick at least one variant.");
        axis = kept;
    }
    if (const int a = spec.axisSetting("train.lr"); a >= 0 && !request.lrs.empty()) {
        SweepAxis& axis = spec.axes[std::size_t(a)];
        axis.values.clear(), axis.labels.clear();
        for (double lr : request.lrs) axis.values.push_back(lr), axis.labels.push_back(axisLabel(lr));
    }
    if (const int a = spec.axisSetting("train.seed"); a >= 0 && request.seeds > 0) {
        SweepAxis& axis = spec.axes[std::size_t(a)];
        axis.values.clear(), axis.labels.clear();
        for (int s = 1; s <= request.seeds; ++s)
            axis.values.push_back(s), axis.labels.push_back(std::to_string(s));
    }
    // Through JSON and back: the same validation as a --spec file (and expandGrid checks every cell).
    spec = sweepSpecFromJson(toJson(spec));
    expandGrid(spec);
    return spec;
}

} // namespace attnscope::gui
