#pragma once
// Text shown around attention maps: head titles with mechanism tags, token labels, cell tooltips.
// Layers and heads are 0-based everywhere, as in snapshots, events and headSelected().
#include "core/model/config.h"
#include "core/probe/snapshot.h"

#include <QString>
#include <QStringList>
#include <vector>

namespace attnscope {

class Tokenizer;

// What the title of a head needs to know about the model, captured once per snapshot so that the
// widgets never keep a pointer to the caller's ModelConfig.
struct HeadTags {
    std::vector<int> window;    // [head] local window span, 0 for a global (full causal) head
    std::vector<double> slopes; // [head] ALiBi slope m_h; empty when the model does not use ALiBi
    bool lsAttention = false;   // heads are split into local and global ones

    static HeadTags fromConfig(const ModelConfig& cfg);
    int windowOf(int head) const;
    double slopeOf(int head) const; // NaN without ALiBi
    bool isLocal(int head) const { return windowOf(head) > 0; }
    // {"local w=32", "m=1/16"}, {"global"}, {} (plain causal head without ALiBi)
    QStringList tagParts(int head) const;
    // The parts joined: "local w=32 · m=1/16"
    QString tags(int head) const { return tagParts(head).join(QStringLiteral(" · ")); }
};

// "m=1/16" for the power-of-two slopes of ALiBi, "m=2^−1.5" for the interleaved non-power-of-two ones.
QString alibiSlopeLabel(double slope);
// "L1 H2 · local w=32 · m=1/16"
QString headTitle(const HeadTags& tags, int layer, int head);

// Readable labels of the probe tokens (whitespace visible, via Tokenizer::display); "#id" without a
// tokenizer.
QStringList tokenLabels(const std::vector<std::int32_t>& tokens, const Tokenizer* tok);

// Multi-line tooltip of one cell. `b` is the comparison snapshot (difference mode) or nullptr.
QString cellToolTip(const ProbeSnapshot& a, const ProbeSnapshot* b, const QStringList& labels,
                    const HeadTags& tags, int layer, int head, int query, int key);

} // namespace attnscope
