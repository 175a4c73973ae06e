#pragma once
// The one step timeline of the inspect workflow: a slider over every
// recorded snapshot of the selected run (all of them, no sampling), a step spin box, play/pause (Space),
// ←/→ and Home/End, and "next event". Emits stepChanged; InspectController fans it out to every view.
// "Pin A" (key A) marks the current step as A for difference views; the slider then shows A while the
// handle is B. The timeline only displays the pin: the selected run owns it (RunData::pinnedStep).
#include <QWidget>
#include <optional>
#include <vector>

class QComboBox;
class QLabel;
class QSpinBox;
class QTimer;
class QToolButton;

namespace attnscope::gui {

class PinSlider;

class StepTimeline : public QWidget {
    Q_OBJECT
public:
    explicit StepTimeline(QWidget* parent = nullptr);

    // Steps the slider walks (snapshot steps, ascending) and the run's event steps. Keeps the current step
    // when it still exists; otherwise follows the newest step while `follow` is on (a live run).
    void setSteps(std::vector<int> steps, std::vector<int> eventSteps);
    const std::vector<int>& steps() const { return m_steps; }
    int step() const; // current step; 0 when there are none

    void setStep(int step); // nearest recorded step at or before `step`
    void stepBy(int delta); // ±1 snapshot
    void first();
    void last();
    void nextEvent(); // the first event after the current step, then its snapshot; emits eventReached
    void setPlaying(bool on);
    bool isPlaying() const;
    // Playback speed in snapshots per second (the speed box: 2 … 32; default 8, remembered).
    void setPlaybackRate(int snapshotsPerSecond);
    int playbackRate() const;
    // The line beside "Next event" naming the event it jumped to (set by InspectController).
    void setEventNote(const QString& text);
    QString eventNote() const;

    // Shows step A (nullopt: nothing pinned). Does not emit pin signals.
    void setPin(std::optional<int> step);
    std::optional<int> pin() const { return m_pin; }
    PinSlider* slider() const { return m_slider; }

signals:
    void stepChanged(int step);
    void pinRequested(int step); // "Pin A" on the current step
    void clearPinRequested();
    // "Next event" moved to the snapshot of the event recorded at `eventStep`; -1: no event after the step.
    void eventReached(int eventStep);

private:
    void setIndex(int index);
    void updateLabel();
    void updatePin();

    std::vector<int> m_steps, m_events;
    std::optional<int> m_pin;
    PinSlider* m_slider;
    QSpinBox* m_spin;
    QToolButton* m_play;
    QToolButton* m_pinButton;
    QToolButton* m_pinChip; // "A: step 100", click to jump there
    QToolButton* m_clearPin;
    QLabel* m_label;
    QLabel* m_eventNote;
    QComboBox* m_speed;
    QTimer* m_timer;
    bool m_follow = true;
};

} // namespace attnscope::gui
