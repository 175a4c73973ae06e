#include "gui/attention/attention_labels.h"
#include "core/data/tokenizer.h"

#include <cmath>

namespace attnscope {

namespace {

constexpr QChar kMinus(0x2212);

QString signedNumber(double v, int precision) {
    QString s = QString::number(std::abs(v), 'g', precision);
    return (v < 0 ? QString(kMinus) : v > 0 ? QStringLiteral("+") : QString()) + s;
}

QString number(double v, int precision = 4) {
    QString s = QString::number(v, 'g', precision);
    if (s.startsWith(QLatin1Char('-'))) s[0] = kMinus;
    return s;
}

bool hasLogits(const ProbeSnapshot& s) {
    return s.logits.size() == std::size_t(s.layers) * s.heads * std::size_t(s.length) * s.length;
}

QString quoted(const QStringList& labels, int i) {
    return i >= 0 && i < labels.size() ? QStringLiteral("‘%1’").arg(labels[i]) : QString();
}

} // namespace

HeadTags HeadTags::fromConfig(const ModelConfig& cfg) {
    HeadTags t;
    t.lsAttention = cfg.lsAttention;
    t.window.resize(std::size_t(std::max(0, cfg.heads)));
    for (int h = 0; h < cfg.heads; ++h) t.window[std::size_t(h)] = cfg.isLocalHead(h) ? cfg.window : 0;
    if (cfg.position == PositionScheme::Alibi && cfg.heads > 0) t.slopes = alibiSlopes(cfg.heads);
    return t;
}

int HeadTags::windowOf(int head) const {
    return head >= 0 && std::size_t(head) < window.size() ? window[std::size_t(head)] : 0;
}

double HeadTags::slopeOf(int head) const {
    return head >= 0 && std::size_t(head) < slopes.size() ? slopes[std::size_t(head)] : std::nan("");
}

QStringList HeadTags::tagParts(int head) const {
    QStringList parts;
    if (isLocal(head))
        parts << QStringLiteral("local w=%1").arg(windowOf(head));
    else if (lsAttention)
        parts << QStringLiteral("global");
    const double m = slopeOf(head);
    if (!std::isnan(m)) parts << alibiSlopeLabel(m);
    return parts;
}

QString alibiSlopeLabel(double slope) {
    if (!(slope > 0)) return QStringLiteral("m=%1").arg(number(slope, 3));
    const double e = -std::log2(slope);
    if (std::abs(e - std::round(e)) < 1e-9) {
        const long denom = std::lround(std::exp2(std::round(e)));
        return denom == 1 ? QStringLiteral("m=1") : QStringLiteral("m=1/%1").arg(denom);
    }
    return QStringLiteral("m=2^%1").arg(number(-e, 3));
}

QString headTitle(const HeadTags& tags, int layer, int head) {
    const QString t = tags.tags(head);
    const QString base = QStringLiteral("L%1 H%2").arg(layer).arg(head);
    return t.isEmpty() ? base : base + QStringLiteral(" · ") + t;
}

QStringList tokenLabels(const std::vector<std::int32_t>& tokens, const Tokenizer* tok) {
    QStringList out;
    out.reserve(qsizetype(tokens.size()));
    for (std::int32_t id : tokens)
        out << (tok ? QString::fromStdString(tok->display(id)) : QStringLiteral("#%1").arg(id));
    return out;
}

QString cellToolTip(const ProbeSnapshot& a, const ProbeSnapshot* b, const QStringList& labels,
                    const HeadTags& tags, int layer, int head, int query, int key) {
    const int T = a.length;
    if (query < 0 || key < 0 || query >= T || key >= T || layer < 0 || head < 0 || layer >= a.layers ||
        head >= a.heads)
        return {};
    const std::size_t cell = std::size_t(query) * std::size_t(T) + std::size_t(key);
    QStringList lines;
    lines << headTitle(tags, layer, head);
    lines << QStringLiteral("query %1 %2 → key %3 %4")
                 .arg(query)
                 .arg(quoted(labels, query))
                 .arg(key)
                 .arg(quoted(labels, key));

    const float* la = hasLogits(a) ? a.logitMap(layer, head) : nullptr;
    const bool comparing = b && b->layers == a.layers && b->heads == a.heads && b->length == T;
    const float* lb = comparing && hasLogits(*b) ? b->logitMap(layer, head) : nullptr;
    // Without logits the mask is geometric: causal, narrowed to the window of a local head.
    const int w = tags.windowOf(head);
    const bool geometric = key <= query && (w <= 0 || query - key < w);
    const bool visA = la ? !std::isnan(la[cell]) : geometric;
    const bool visB = lb ? !std::isnan(lb[cell]) : geometric;
    const float wa = a.map(layer, head)[cell];

    if (!comparing) {
        if (!visA) {
            lines << QStringLiteral("masked: key not visible to this query");
            return lines.join(QLatin1Char('\n'));
        }
        lines << QStringLiteral("weight %1").arg(number(wa));
        if (la) {
            lines << QStringLiteral("logit %1 (content q·k/√D)").arg(number(la[cell]));
            const double m = tags.slopeOf(head);
            // The content logit is reported before the bias; show the biased score too.
            if (!std::isnan(m))
                lines << QStringLiteral("logit + ALiBi bias %1").arg(number(la[cell] - m * (query - key)));
        }
        return lines.join(QLatin1Char('\n'));
    }

    if (!visA && !visB) {
        lines << QStringLiteral("masked in both: key not visible to this query");
        return lines.join(QLatin1Char('\n'));
    }
    const float wb = b->map(layer, head)[cell];
    const double va = visA ? wa : 0.0, vb = visB ? wb : 0.0;
    lines << QStringLiteral("Δ weight %1 (A %2 − B %3)")
                 .arg(signedNumber(va - vb, 4))
                 .arg(visA ? number(va) : QStringLiteral("masked"))
                 .arg(visB ? number(vb) : QStringLiteral("masked"));
    if (la || lb)
        lines << QStringLiteral("logit A %1 · B %2")
                     .arg(la && visA ? number(la[cell]) : QStringLiteral("–"))
                     .arg(lb && visB ? number(lb[cell]) : QStringLiteral("–"));
    return lines.join(QLatin1Char('\n'));
}

} // namespace attnscope
