#include "gui/widgets/step_timeline.h"

#include "gui/widgets/pin_slider.h"
#include "gui/widgets/themed_icon.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSettings>
#include <QShortcut>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QStyle>
#include <QTimer>
#include <QToolButton>
#include <algorithm>

namespace attnscope::gui {

namespace {

QToolButton* toolButton(QWidget* parent, QStyle::StandardPixmap icon, const QString& tip) {
    auto* b = new QToolButton(parent);
    b->setIcon(themedStandardIcon(icon));
    b->setToolTip(tip);
    b->setAutoRaise(true);
    return b;
}

} // namespace

StepTimeline::StepTimeline(QWidget* parent)
    : QWidget(parent), m_slider(new PinSlider(this)), m_spin(new QSpinBox(this)), m_label(new QLabel(this)),
      m_timer(new QTimer(this)) {
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(6, 2, 6, 2);
    auto* home = toolButton(this, QStyle::SP_MediaSkipBackward, tr("First snapshot (Home)"));
    auto* back = toolButton(this, QStyle::SP_MediaSeekBackward, tr("Previous snapshot (←)"));
    m_play = toolButton(this, QStyle::SP_MediaPlay, tr("Play / pause (Space)"));
    m_play->setCheckable(true);
    auto* fwd = toolButton(this, QStyle::SP_MediaSeekForward, tr("Next snapshot (→)"));
    auto* end = toolButton(this, QStyle::SP_MediaSkipForward, tr("Last snapshot (End)"));
    auto* event = new QToolButton(this);
    event->setText(tr("Next event"));
    event->setToolTip(tr("Jump to the next recorded event (loss spike, entropy collapse, …)"));
    m_spin->setPrefix(tr("step "));
    m_spin->setKeyboardTracking(false);
    m_spin->setToolTip(tr("Shows the snapshot at or before this step"));
    m_slider->setToolTip(tr("Every recorded snapshot of the selected run"));
    for (QWidget* w : {static_cast<QWidget*>(home), static_cast<QWidget*>(back),
                       static_cast<QWidget*>(m_play), static_cast<QWidget*>(fwd), static_cast<QWidget*>(end)})
        layout->addWidget(w);
    layout->addWidget(m_slider, 1);
    layout->addWidget(m_spin);
    m_speed = new QComboBox(this);
    m_speed->setObjectName(QStringLiteral("playSpeed"));
    m_speed->setToolTip(tr("Playback speed: snapshots per second"));
    for (int rate : {2, 4, 8, 16, 32}) m_speed->addItem(tr("%1/s").arg(rate), rate);
    layout->addWidget(m_speed);
    layout->addWidget(event);
    m_eventNote = new QLabel(this);
    m_eventNote->setObjectName(QStringLiteral("eventNote"));
    m_eventNote->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred); // long messages clip
    m_eventNote->setMinimumWidth(60);
    layout->addWidget(m_eventNote, 1);
    layout->addWidget(m_label);
    layout->addSpacing(8);
    m_pinButton = new QToolButton(this);
    m_pinButton->setText(tr("Pin A"));
    m_pinButton->setObjectName(QStringLiteral("pinButton"));
    m_pinButton->setToolTip(tr("Pin this step as A (key A): difference maps show B − A, the current step "
                               "minus A, and the curves mark A with a second cursor"));
    m_pinChip = new QToolButton(this);
    m_pinChip->setAutoRaise(true);
    m_pinChip->setObjectName(QStringLiteral("pinChip"));
    m_pinChip->setToolTip(tr("Go to step A"));
    m_pinChip->setMinimumWidth(m_pinChip->fontMetrics().horizontalAdvance(QStringLiteral("A: step 000000")) +
                               16);
    m_pinChip->setStyleSheet(
        QStringLiteral("QToolButton:enabled { color: %1; font-weight: bold; }").arg(pinColor().name()));
    m_clearPin = new QToolButton(this);
    m_clearPin->setText(tr("Clear pin"));
    m_clearPin->setObjectName(QStringLiteral("clearPinButton"));
    m_clearPin->setToolTip(tr("Clear pin A (Shift+A)"));
    layout->addWidget(m_pinButton);
    layout->addWidget(m_pinChip);
    layout->addWidget(m_clearPin);

    // 8 snapshots a second by default: fast enough to watch a pattern form, slow enough to read the step.
    setPlaybackRate(QSettings().value(QStringLiteral("timeline/playbackRate"), 8).toInt());
    connect(m_speed, &QComboBox::activated, this, [this] {
        setPlaybackRate(m_speed->currentData().toInt());
        QSettings().setValue(QStringLiteral("timeline/playbackRate"), playbackRate());
    });
    connect(m_timer, &QTimer::timeout, this, [this] {
        if (m_slider->value() >= m_slider->maximum()) return setPlaying(false);
        stepBy(1);
    });
    connect(m_play, &QToolButton::toggled, this, &StepTimeline::setPlaying);
    connect(home, &QToolButton::clicked, this, &StepTimeline::first);
    connect(end, &QToolButton::clicked, this, &StepTimeline::last);
    connect(back, &QToolButton::clicked, this, [this] { stepBy(-1); });
    connect(fwd, &QToolButton::clicked, this, [this] { stepBy(1); });
    connect(event, &QToolButton::clicked, this, &StepTimeline::nextEvent);
    connect(m_slider, &QSlider::valueChanged, this, &StepTimeline::setIndex);
    connect(m_spin, &QSpinBox::valueChanged, this, [this](int s) { setStep(s); });
    connect(m_pinButton, &QToolButton::clicked, this, [this] {
        if (!m_steps.empty()) emit pinRequested(step());
    });
    connect(m_clearPin, &QToolButton::clicked, this, &StepTimeline::clearPinRequested);
    connect(m_pinChip, &QToolButton::clicked, this, [this] {
        if (m_pin) setStep(*m_pin);
    });

    // Window-wide keys (PlotJuggler/Rerun/llm-viz convention). A focused spin box or text field still gets
    // its own arrows and spaces first: Qt offers them the key as ShortcutOverride before any shortcut fires.
    QWidget* scope = parent ? parent->window() : this;
    // The description is what Help › Keyboard shortcuts lists.
    const auto shortcut = [&](QKeySequence key, const QString& what, auto slot) {
        auto* s = new QShortcut(key, scope, this, slot);
        s->setContext(Qt::WindowShortcut);
        s->setWhatsThis(what);
    };
    shortcut(Qt::Key_Space, tr("Timeline: play / pause"), [this] { setPlaying(!isPlaying()); });
    shortcut(Qt::Key_Left, tr("Timeline: previous snapshot"), [this] { stepBy(-1); });
    shortcut(Qt::Key_Right, tr("Timeline: next snapshot"), [this] { stepBy(1); });
    shortcut(Qt::Key_Home, tr("Timeline: first snapshot"), [this] { first(); });
    shortcut(Qt::Key_End, tr("Timeline: latest snapshot"), [this] { last(); });
    shortcut(Qt::Key_A, tr("Pin step A at the timeline's step (difference maps compare against it)"),
             [this] { m_pinButton->click(); });
    shortcut(Qt::SHIFT | Qt::Key_A, tr("Clear step A"), [this] { emit clearPinRequested(); });
    setSteps({}, {});
    updatePin();
}

void StepTimeline::setSteps(std::vector<int> steps, std::vector<int> eventSteps) {
    const int current = step();
    const bool atEnd = m_steps.empty() || m_slider->value() == m_slider->maximum();
    m_steps = std::move(steps);
    m_events = std::move(eventSteps);
    std::sort(m_events.begin(), m_events.end());
    {
        const QSignalBlocker b1(m_slider), b2(m_spin);
        m_slider->setRange(0, std::max(0, int(m_steps.size()) - 1));
        m_spin->setRange(m_steps.empty() ? 0 : m_steps.front(), m_steps.empty() ? 0 : m_steps.back());
    }
    setEnabled(!m_steps.empty());
    updatePin(); // A's slider index moves when steps are added before it
    if (m_steps.empty()) return updateLabel();
    // A live run keeps growing: stay on the newest snapshot if that is where the user was.
    if (m_follow && atEnd) return setIndex(int(m_steps.size()) - 1);
    setStep(current);
}

int StepTimeline::step() const {
    const int i = m_slider->value();
    return i >= 0 && i < int(m_steps.size()) ? m_steps[std::size_t(i)] : 0;
}

void StepTimeline::setStep(int step) {
    if (m_steps.empty()) return;
    auto it = std::upper_bound(m_steps.begin(), m_steps.end(), step);
    setIndex(it == m_steps.begin() ? 0 : int(it - m_steps.begin()) - 1);
}

void StepTimeline::stepBy(int delta) {
    setIndex(std::clamp(m_slider->value() + delta, 0, m_slider->maximum()));
}
void StepTimeline::first() {
    setIndex(0);
}
void StepTimeline::last() {
    setIndex(m_slider->maximum());
}

void StepTimeline::nextEvent() {
    const int now = step();
    const auto it = std::upper_bound(m_events.begin(), m_events.end(), now);
    if (it == m_events.end()) return emit eventReached(-1);
    // The snapshot at or after the event shows its effect; fall back to the last one.
    const auto s = std::lower_bound(m_steps.begin(), m_steps.end(), *it);
    setIndex(s == m_steps.end() ? int(m_steps.size()) - 1 : int(s - m_steps.begin()));
    emit eventReached(*it);
}

void StepTimeline::setPlaybackRate(int snapshotsPerSecond) {
    int index = m_speed->findData(snapshotsPerSecond);
    if (index < 0) index = m_speed->findData(8);
    const QSignalBlocker block(m_speed);
    m_speed->setCurrentIndex(index);
    m_timer->setInterval(1000 / m_speed->itemData(index).toInt());
}

int StepTimeline::playbackRate() const {
    return m_speed->currentData().toInt();
}

void StepTimeline::setEventNote(const QString& text) {
    m_eventNote->setText(text);
    m_eventNote->setToolTip(text);
}

QString StepTimeline::eventNote() const {
    return m_eventNote->text();
}

void StepTimeline::setPlaying(bool on) {
    {
        const QSignalBlocker block(m_play);
        m_play->setChecked(on);
    }
    m_play->setIcon(themedStandardIcon(on ? QStyle::SP_MediaPause : QStyle::SP_MediaPlay));
    if (on && m_slider->value() >= m_slider->maximum()) setIndex(0); // replay from the start
    on ? m_timer->start() : m_timer->stop();
}

bool StepTimeline::isPlaying() const {
    return m_timer->isActive();
}

void StepTimeline::setIndex(int index) {
    if (m_steps.empty()) return;
    index = std::clamp(index, 0, int(m_steps.size()) - 1);
    m_follow = index == int(m_steps.size()) - 1;
    {
        const QSignalBlocker b1(m_slider), b2(m_spin);
        m_slider->setValue(index);
        m_spin->setValue(m_steps[std::size_t(index)]);
    }
    updateLabel();
    m_slider->update(); // the A–B band follows the handle
    emit stepChanged(m_steps[std::size_t(index)]);
}

void StepTimeline::setPin(std::optional<int> step) {
    m_pin = step;
    updatePin();
}

void StepTimeline::updatePin() {
    const auto it = m_pin ? std::lower_bound(m_steps.begin(), m_steps.end(), *m_pin) : m_steps.end();
    m_slider->setPinValue(it != m_steps.end() && *it == *m_pin ? int(it - m_steps.begin()) : -1);
    // Always shown, only disabled without a pin, so pinning does not shift the slider under the pointer.
    m_pinChip->setEnabled(bool(m_pin));
    m_clearPin->setEnabled(bool(m_pin));
    m_pinChip->setText(m_pin ? tr("A: step %1").arg(*m_pin) : tr("A: none"));
}

void StepTimeline::updateLabel() {
    m_label->setText(m_steps.empty() ? tr("no snapshots")
                                     : tr("%1 / %2").arg(m_slider->value() + 1).arg(m_steps.size()));
}

} // namespace attnscope::gui
