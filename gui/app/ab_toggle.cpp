#include "gui/app/ab_toggle.h"

namespace attnscope::gui {

const std::vector<AbToggle>& abToggles() {
    static const std::vector<AbToggle> toggles{
        {QStringLiteral("ls"), QStringLiteral("LS-attention (local/global heads)"), QStringLiteral("LS")},
        {QStringLiteral("alibi"), QStringLiteral("ALiBi"), QStringLiteral("ALiBi")},
        {QStringLiteral("resformer"), QStringLiteral("ResFormer value residual"),
         QStringLiteral("ResFormer")},
        {QStringLiteral("svformer"), QStringLiteral("SVFormer"), QStringLiteral("SVFormer")},
        {QStringLiteral("sigma"), QStringLiteral("σReparam"), QStringLiteral("σReparam")},
        {QStringLiteral("qknorm"), QStringLiteral("QK-norm"), QStringLiteral("QK-norm")},
        {QStringLiteral("zloss"), QStringLiteral("z-loss"), QStringLiteral("z-loss")},
        {QStringLiteral("bos"), QStringLiteral("BOS token"), QStringLiteral("BOS")},
    };
    return toggles;
}

bool abIsOn(const RunSpec& spec, const QString& key) {
    const ModelConfig& m = spec.model;
    if (key == "ls") return m.lsAttention;
    if (key == "alibi") return m.position == PositionScheme::Alibi;
    if (key == "resformer") return m.usesValueMix();
    if (key == "svformer") return m.valueResidual == ValueResidual::SVFormer;
    if (key == "sigma") return m.sigmaReparam != SigmaReparam::Off;
    if (key == "qknorm") return m.qkNorm;
    if (key == "zloss") return m.zLoss > 0;
    if (key == "bos") return spec.data.bos;
    return false;
}

RunSpec abWith(const RunSpec& spec, const QString& key, bool on) {
    RunSpec out = spec;
    ModelConfig& m = out.model;
    if (abIsOn(spec, key) == on) return out;
    if (key == "ls") {
        m.lsAttention = on;
    } else if (key == "alibi") {
        // Off means the nanoGPT baseline of learned absolute positions.
        m.position = on ? PositionScheme::Alibi : PositionScheme::Learned;
    } else if (key == "resformer") {
        m.valueResidual = on ? ValueResidual::Learnable : ValueResidual::Off;
    } else if (key == "svformer") {
        m.valueResidual = on ? ValueResidual::SVFormer : ValueResidual::Off;
    } else if (key == "sigma") {
        m.sigmaReparam = on ? SigmaReparam::Fused : SigmaReparam::Off;
    } else if (key == "qknorm") {
        m.qkNorm = on;
    } else if (key == "zloss") {
        m.zLoss = on ? 1e-4 : 0.0; // Wortsman et al.'s coefficient
    } else if (key == "bos") {
        out.data.bos = on;
    }
    return out;
}

std::pair<RunSpec, RunSpec> abPair(const RunSpec& base, const QString& key) {
    QString tag = key;
    for (const AbToggle& t : abToggles())
        if (t.key == key) tag = t.tag;
    RunSpec a = abWith(base, key, false);
    RunSpec b = abWith(base, key, true);
    a.name = base.name + " A −" + tag.toStdString();
    b.name = base.name + " B +" + tag.toStdString();
    return {a, b};
}

} // namespace attnscope::gui
