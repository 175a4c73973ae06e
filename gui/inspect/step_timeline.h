#pragma once
// The one step timeline of the inspect workflow (peers.md §6 "Linked step cursor"): a slider over every
// recorded snapshot of the selected run (all of them, no sampling), a step spin box, play/pause (Space),
// ←/→ and Home/End, and "next event". Emits stepChanged; InspectController fans it out to every view.
#include <QWidget>
#include <vector>

class QLabel;
class QSlider;
class QSpinBox;
class QTimer;
class QToolButton;

namespace attnscope::gui {

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
    void nextEvent(); // the first event after the current step, then its snapshot
    void setPlaying(bool on);
    bool isPlaying() const;

signals:
    void stepChanged(int step);

private:
    void setIndex(int index);
    void updateLabel();

    std::vector<int> m_steps, m_events;
    QSlider* m_slider;
    QSpinBox* m_spin;
    QToolButton* m_play;
    QLabel* m_label;
    QTimer* m_timer;
    bool m_follow = true;
};

} // namespace attnscope::gui
