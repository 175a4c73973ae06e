#include "figures/palette.h"

#include <algorithm>
#include <cmath>

namespace attnscope {

const std::vector<QColor>& runPalette() {
    static const std::vector<QColor> palette{
        QColor(0x00, 0x72, 0xB2), // blue
        QColor(0xD5, 0x5E, 0x00), // vermillion
        QColor(0x00, 0x9E, 0x73), // bluish green
        QColor(0xCC, 0x79, 0xA7), // reddish purple
        QColor(0xE6, 0x9F, 0x00), // orange
        QColor(0x56, 0xB4, 0xE9), // sky blue
        QColor(0x8C, 0x56, 0x4B), // brown
        QColor(0x55, 0x55, 0x55), // grey
    };
    return palette;
}

const std::vector<QColor>& extendedRunPalette() {
    // Paul Tol's "muted" scheme (https://personal.sron.nl/~pault/, also colour-blind safe), without the
    // colours too close to Okabe–Ito's: a second set of nine before generated colours are needed.
    static const std::vector<QColor> palette{
        QColor(0x33, 0x22, 0x88), // indigo
        QColor(0xCC, 0x66, 0x77), // rose
        QColor(0x11, 0x77, 0x33), // green
        QColor(0x88, 0x22, 0x55), // wine
        QColor(0x44, 0xAA, 0x99), // teal
        QColor(0x99, 0x99, 0x33), // olive
        QColor(0xAA, 0x44, 0x99), // purple
        QColor(0xDD, 0xCC, 0x77), // sand
        QColor(0x88, 0xCC, 0xEE), // cyan
    };
    return palette;
}

QColor nextRunColor(const std::vector<QColor>& used) {
    auto free = [&used](const QColor& c) { return std::find(used.begin(), used.end(), c) == used.end(); };
    for (const auto* palette : {&runPalette(), &extendedRunPalette()})
        for (const QColor& c : *palette)
            if (free(c)) return c;
    // Past 17 runs: hues a golden angle apart at three lightness levels, so no two open runs ever share a
    // colour (they stop being easy to tell apart long before that; the legend and tooltips name them).
    for (int i = 0;; ++i) {
        const double hue = std::fmod(0.07 + i * 0.381966, 1.0);
        const double lightness = 0.35 + 0.12 * (i % 3);
        const QColor c = QColor::fromHslF(float(hue), 0.65f, float(lightness));
        if (free(c)) return c;
    }
}

QColor shadeOf(const QColor& base, int index, int count) {
    if (count <= 1) return base;
    float h = 0, s = 0, l = 0, a = 0;
    base.getHslF(&h, &s, &l, &a);
    const float t = float(index) / float(count - 1); // 0 … 1
    const float lightness = 0.25f + 0.40f * t;       // dark → light, all readable on white
    return QColor::fromHslF(h < 0 ? 0 : h, std::max(s, 0.35f), lightness, a);
}

QColor categoricalColor(int index) {
    // Tableau-10 order: a second palette so per-head hues are not confused with run colours.
    static const std::vector<QColor> colors{QColor(0x1F, 0x77, 0xB4), QColor(0xFF, 0x7F, 0x0E),
                                            QColor(0x2C, 0xA0, 0x2C), QColor(0xD6, 0x27, 0x28),
                                            QColor(0x94, 0x67, 0xBD), QColor(0x8C, 0x56, 0x4B),
                                            QColor(0xE3, 0x77, 0xC2), QColor(0x7F, 0x7F, 0x7F),
                                            QColor(0xBC, 0xBD, 0x22), QColor(0x17, 0xBE, 0xCF)};
    return colors[std::size_t(index) % colors.size()];
}

} // namespace attnscope
