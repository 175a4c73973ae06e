#pragma once
// A slider over snapshot indices that also shows the pinned step A: a coloured flag labelled "A" at its
// position and a faint band from A to the handle (B), so the span a difference covers is visible at a
// glance. Used by the step timeline and by the attention tab's own snapshot slider.
#include <QColor>
#include <QSlider>

namespace attnscope::gui {

// The colour that marks step A everywhere (timeline flag, curve cursors). Near-black: every hue is taken by
// a run (the Okabe–Ito run palette) or a head, and event markers are dashed lines in the run's colour.
QColor pinColor();

class PinSlider : public QSlider {
    Q_OBJECT
public:
    explicit PinSlider(QWidget* parent = nullptr);

    // Slider value of step A; -1 hides the marker.
    void setPinValue(int value);
    int pinValue() const { return m_pin; }
    // Horizontal centre of the handle at `value`, in widget coordinates (painting, tests).
    int positionOf(int value) const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    int m_pin = -1;
};

} // namespace attnscope::gui
