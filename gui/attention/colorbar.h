#pragma once
// A labelled vertical colorbar painted with QPainter, so it renders the same on screen, in grab() PNGs
// and on vector paint devices (QSvgGenerator, QPdfWriter).
#include "figures/colormap.h"

#include <QFont>
#include <QRect>
#include <QString>

class QPainter;

namespace attnscope {

struct ColorbarSpec {
    figures::ColormapKind colormap = figures::ColormapKind::Viridis;
    figures::ColorNorm norm;
    QString label;           // axis title, drawn rotated along the bar
    bool extendLow = false;  // some data lies below the range (matplotlib's extend='min' triangle)
    bool extendHigh = false; // some data lies above the range
};

class Colorbar {
public:
    static constexpr int kBarWidth = 12;

    // Horizontal space the bar, its ticks, tick labels and title need with `font`.
    static int preferredWidth(const ColorbarSpec& spec, const QFont& font);
    // Paints into `area` (its height spans the bar; extension triangles live inside the area).
    static void paint(QPainter& p, const QRect& area, const ColorbarSpec& spec, const QColor& ink);
};

} // namespace attnscope
