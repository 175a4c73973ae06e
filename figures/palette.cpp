#include "figures/palette.h"

#include <algorithm>
#include <cmath>

namespace attnscope {

QColor okabeIto(OkabeIto colour) {
    switch (colour) {
    case OkabeIto::Black:
        return QColor(0x00, 0x00, 0x00);
    case OkabeIto::Orange:
        return QColor(0xE6, 0x9F, 0x00);
    case OkabeIto::SkyBlue:
        return QColor(0x56, 0xB4, 0xE9);
    case OkabeIto::BluishGreen:
        return QColor(0x00, 0x9E, 0x73);
    case OkabeIto::Yellow:
        return QColor(0xF0, 0xE4, 0x42);
    case OkabeIto::Blue:
        return QColor(0x00, 0x72, 0xB2);
    case OkabeIto::Vermillion:
        return QColor(0xD5, 0x5E, 0x00);
    case OkabeIto::ReddishPurple:
        return QColor(0xCC, 0x79, 0xA7);
    }
    return {};
}

const std::vector<QColor>& runPalette() {
    static const std::vector<QColor> palette{
        okabeIto(OkabeIto::Blue),          okabeIto(OkabeIto::Vermillion), okabeIto(OkabeIto::BluishGreen),
        okabeIto(OkabeIto::ReddishPurple), okabeIto(OkabeIto::Orange),     okabeIto(OkabeIto::SkyBlue),
        QColor(0x8C, 0x56, 0x4B), // brown, for Okabe–Ito's yellow
        QColor(0x55, 0x55, 0x55), // grey, for its black
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

QColor runColorSlot(int slot) {
    const auto& first = runPalette();
    const auto& second = extendedRunPalette();
    if (slot < 0) slot = 0;
    if (std::size_t(slot) < first.size()) return first[std::size_t(slot)];
    if (std::size_t(slot) < first.size() + second.size()) return second[std::size_t(slot) - first.size()];
    // Past 17: hues a golden angle apart at three lightness levels (runs stop being easy to tell apart long
    // before that; the legend and tooltips name them).
    const int i = slot - int(first.size() + second.size());
    const double hue = std::fmod(0.07 + i * 0.381966, 1.0);
    const double lightness = 0.35 + 0.12 * (i % 3);
    return QColor::fromHslF(float(hue), 0.65f, float(lightness));
}

QColor nextRunColor(const std::vector<QColor>& used) {
    for (int slot = 0;; ++slot) {
        const QColor c = runColorSlot(slot);
        if (std::find(used.begin(), used.end(), c) == used.end()) return c;
    }
}

std::vector<QColor> runColors(int count) {
    std::vector<QColor> out;
    for (int i = 0; i < count; ++i) out.push_back(nextRunColor(out));
    return out;
}

QColor sweepVariantColor(int variant) {
    return runColorSlot(variant);
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
