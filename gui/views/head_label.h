#pragma once
// Readout names of attention heads that show the mechanism a head runs (LS-attention local/global split,
// ALiBi slope), so a line in a chart can be told apart without looking up the config.
#include "core/model/config.h"

#include <QString>

namespace attnscope::gui {

inline QString headLabel(const ModelConfig& config, int head) {
    QString label = QStringLiteral("H%1").arg(head);
    if (config.lsAttention)
        label += config.isLocalHead(head) ? QStringLiteral(" local") : QStringLiteral(" global");
    return label;
}

} // namespace attnscope::gui
