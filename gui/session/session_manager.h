#pragma once
// Starts, pauses, resumes and stops live runs. Builds each Trainer on the GUI thread so a refused spec or
// a missing corpus is reported at once (as a message for the New-run panel), then hands it to a
// TrainingSession. Splits the cores between runs that train at the same time.
#include "core/train/run_spec.h"

#include <QObject>
#include <QString>
#include <map>
#include <memory>
#include <utility>

namespace attnscope::gui {

class RunRegistry;
class TrainingSession;

class SessionManager : public QObject {
    Q_OBJECT
public:
    explicit SessionManager(RunRegistry& registry, QObject* parent = nullptr);
    ~SessionManager() override; // stops and joins every session

    // Starts one run; returns its id, or 0 with `error` set when the spec or its data is refused.
    int start(const RunSpec& spec, QString* error = nullptr);
    // Starts two runs (an A/B pair). Both trainers are built before either starts, so a refusal of one
    // starts neither; on success returns both ids.
    std::pair<int, int> startPair(const RunSpec& a, const RunSpec& b, QString* error = nullptr);

    TrainingSession* session(int runId) const;
    void pause(int runId);
    void resume(int runId);
    void stop(int runId); // asynchronous: the run ends after its current step
    // Stops every run and waits for the threads (closing the window). Leaves finished runs in place.
    void stopAll();
    // Forgets a run: stops its session (waiting for it) and removes it from the registry.
    void close(int runId);

    int trainingCount() const; // sessions whose worker runs and is not paused
    int cores() const { return m_cores; }
    void setCores(int cores) { m_cores = cores > 0 ? cores : 1; } // tests

signals:
    void sessionStarted(int runId);
    void sessionFinished(int runId);

private:
    struct Prepared;
    std::unique_ptr<Prepared> prepare(const RunSpec& spec, int concurrent, QString* error) const;
    int launch(std::unique_ptr<Prepared> prepared);

    RunRegistry& m_registry;
    std::map<int, std::unique_ptr<TrainingSession>> m_sessions;
    int m_cores = 1;
};

} // namespace attnscope::gui
