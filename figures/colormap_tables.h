#pragma once
// 256-entry colour tables generated once from matplotlib's published colormap data (see the .cpp header).
#include <QRgb>
#include <array>

namespace attnscope::figures::colormap_tables {

extern const std::array<QRgb, 256> kViridis;
extern const std::array<QRgb, 256> kMagma;
extern const std::array<QRgb, 256> kCividis;
extern const std::array<QRgb, 256> kRdBuR; // RdBu reversed: blue for negative, red for positive

} // namespace attnscope::figures::colormap_tables
