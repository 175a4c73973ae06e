#pragma once
// Follows a run file that another process (attnscope-cli train) is still writing: polls its RunReader on
// a timer and appends what was committed to the run's RunData, so every view grows as in a live session.
// Stops by itself once the file's status says the run ended.
#include <QObject>
#include <QString>
#include <memory>

class QTimer;

namespace attnscope {
class RunReader;
struct RunCursor;
} // namespace attnscope

namespace attnscope::gui {

class RunRegistry;

class LiveFollower : public QObject {
    Q_OBJECT
public:
    // True when the file's latest status is training or paused (somebody may be writing it).
    static bool isBeingWritten(const QString& path);
    LiveFollower(RunRegistry& registry, int runId, const QString& path, QObject* parent = nullptr);
    ~LiveFollower() override;

    void pollNow();
    bool isFollowing() const;

private:
    RunRegistry& m_registry;
    int m_runId;
    QString m_path;
    std::unique_ptr<RunReader> m_reader;
    std::unique_ptr<RunCursor> m_cursor;
    QTimer* m_timer;
};

} // namespace attnscope::gui
