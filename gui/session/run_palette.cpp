#include "gui/session/run_palette.h"

#include <algorithm>

namespace attnscope::gui {

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

QColor nextRunColor(const std::vector<QColor>& used) {
    const auto& palette = runPalette();
    for (const QColor& c : palette)
        if (std::find(used.begin(), used.end(), c) == used.end()) return c;
    return palette[used.size() % palette.size()];
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

} // namespace attnscope::gui
