#pragma once
// Status-bar summary of the selected run: step of total, tokens per second, time left and a progress bar.
#include <QWidget>

class QLabel;
class QProgressBar;

namespace attnscope::gui {

class RunRegistry;
struct RunData;

class RunStatusWidget : public QWidget {
    Q_OBJECT
public:
    explicit RunStatusWidget(RunRegistry& registry, QWidget* parent = nullptr);
    QString text() const; // the labels joined, for tests

    // "1h 02m", "3m 20s", "12s"
    static QString formatDuration(double seconds);

private:
    void update(int runId);
    void showRun(const RunData* run);

    RunRegistry& m_registry;
    QLabel *m_run, *m_step, *m_speed, *m_eta;
    QProgressBar* m_progress;
};

} // namespace attnscope::gui
