#include "gui/widgets/secondary_text.h"

#include <QApplication>
#include <QEvent>
#include <QLabel>
#include <QPalette>
#include <algorithm>
#include <cmath>

namespace attnscope::gui {

namespace {

// How far toward the background the text colour moves: 0.3 keeps ≥ 7:1 for black on #EFEFEF and ≥ 4.5:1 for
// light grey on a dark window.
constexpr double kTowardBackground = 0.3;

double channelLuminance(double c) {
    return c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
}

double relativeLuminance(const QColor& c) {
    return 0.2126 * channelLuminance(c.redF()) + 0.7152 * channelLuminance(c.greenF()) +
           0.0722 * channelLuminance(c.blueF());
}

// Re-applies the colour whenever the application palette changes (a theme switch).
class SecondaryTextKeeper : public QObject {
public:
    explicit SecondaryTextKeeper(QLabel* label) : QObject(label), m_label(label) { apply(); }
    // Qt delivers an application palette change to child widgets as PaletteChange (their resolved palette
    // changed), not as ApplicationPaletteChange; apply() itself causes one, hence the guard.
    bool eventFilter(QObject*, QEvent* event) override {
        if (!m_applying &&
            (event->type() == QEvent::ApplicationPaletteChange || event->type() == QEvent::PaletteChange))
            apply();
        return false;
    }
    void apply() {
        m_applying = true;
        QPalette p = m_label->palette();
        const QPalette app = QApplication::palette(m_label);
        p.setColor(QPalette::WindowText, secondaryTextColor(app));
        p.setColor(QPalette::Text, secondaryTextColor(app));
        m_label->setPalette(p);
        m_applying = false;
    }

private:
    QLabel* m_label;
    bool m_applying = false;
};

} // namespace

QColor secondaryTextColor(const QPalette& palette) {
    const QColor text = palette.color(QPalette::WindowText), window = palette.color(QPalette::Window);
    const auto mix = [](double a, double b) { return std::clamp(a + (b - a) * kTowardBackground, 0.0, 1.0); };
    return QColor::fromRgbF(float(mix(text.redF(), window.redF())),
                            float(mix(text.greenF(), window.greenF())),
                            float(mix(text.blueF(), window.blueF())));
}

double contrastRatio(const QColor& a, const QColor& b) {
    const double la = relativeLuminance(a), lb = relativeLuminance(b);
    return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

void makeSecondaryText(QLabel* label) {
    auto* keeper = new SecondaryTextKeeper(label);
    label->installEventFilter(keeper);
}

} // namespace attnscope::gui
