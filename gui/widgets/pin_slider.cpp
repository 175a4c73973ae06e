#include "gui/widgets/pin_slider.h"

#include <QPainter>
#include <QPainterPath>
#include <QStyleOptionSlider>

namespace attnscope::gui {

namespace {
constexpr int kFlagHeight = 11;               // room above the groove for the "A" flag
constexpr int kExtraHeight = kFlagHeight + 4; // the style centres the handle: half of it ends up below
} // namespace

QColor pinColor() {
    return QColor(0x1A, 0x1A, 0x1A);
}

PinSlider::PinSlider(QWidget* parent) : QSlider(Qt::Horizontal, parent) {
    connect(this, &QSlider::rangeChanged, this, [this] { update(); });
}

void PinSlider::setPinValue(int value) {
    if (value == m_pin) return;
    m_pin = value;
    update();
}

int PinSlider::positionOf(int value) const {
    QStyleOptionSlider opt;
    initStyleOption(&opt);
    const QRect groove = style()->subControlRect(QStyle::CC_Slider, &opt, QStyle::SC_SliderGroove, this);
    const QRect handle = style()->subControlRect(QStyle::CC_Slider, &opt, QStyle::SC_SliderHandle, this);
    const int span = groove.width() - handle.width();
    return groove.left() + handle.width() / 2 +
           QStyle::sliderPositionFromValue(minimum(), maximum(), value, span, opt.upsideDown);
}

QSize PinSlider::sizeHint() const {
    return QSlider::sizeHint() + QSize(0, kExtraHeight);
}
QSize PinSlider::minimumSizeHint() const {
    return QSlider::minimumSizeHint() + QSize(0, kExtraHeight);
}

void PinSlider::paintEvent(QPaintEvent* event) {
    // The groove and handle keep the style's look; the flag lives in the strip above them.
    const bool pinned = m_pin >= minimum() && m_pin <= maximum() && maximum() > minimum();
    QSlider::paintEvent(event);
    if (!pinned) return;
    QPainter p(this);
    // The span A–B as a strip just under the groove: visible next to the style's own groove fill.
    QStyleOptionSlider opt;
    initStyleOption(&opt);
    const QRect handle = style()->subControlRect(QStyle::CC_Slider, &opt, QStyle::SC_SliderHandle, this);
    const int a = positionOf(m_pin), b = positionOf(value());
    QColor band = pinColor();
    band.setAlpha(110);
    p.fillRect(QRect(std::min(a, b), handle.bottom() + 1, std::abs(b - a), 3), band);
    p.setRenderHint(QPainter::Antialiasing);
    const int x = a;
    p.setPen(QPen(pinColor(), 2));
    p.drawLine(QPointF(x, kFlagHeight - 1), QPointF(x, height() - 2));
    // A small flag with the letter, like a cue point on an audio timeline.
    QFont f = font();
    f.setBold(true);
    f.setPixelSize(kFlagHeight - 1);
    p.setFont(f);
    const double w = QFontMetricsF(f).horizontalAdvance(QStringLiteral("A")) + 6;
    // The flag points right from the line, or left near the right end so it never leaves the widget.
    const QRectF flag(x + w > width() ? x + 1 - w : x - 1, 0, w, kFlagHeight);
    p.fillRect(flag, pinColor());
    p.setPen(Qt::white);
    p.drawText(flag, Qt::AlignCenter, QStringLiteral("A"));
}

} // namespace attnscope::gui
