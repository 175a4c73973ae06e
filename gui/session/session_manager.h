#pragma once
// Starts, pauses, resumes and stops live runs. Builds each RunDriver on the GUI thread so a refused spec or
// a missing corpus is reported at once (as a message for the New-run panel), then hands it to a
// TrainingSession. Splits the cores between runs that train at the same time.
#include "core/train/run_spec.h"
#include "gui/session/run_data.h"

#include <QObject>
#include <QString>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <utility>
#include <vector>

namespace attnscope {
class RunDriver;
class Trainer;
} // namespace attnscope

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
    // Starts several runs at once (a paired experiment) with the same all-or-nothing rule and an even
    // share of the cores; returns their ids, or an empty vector with `error` set.
    std::vector<int> startGroup(const std::vector<RunSpec>& specs, QString* error = nullptr);

    // Trains a driver built elsewhere — RunDriver::continueRun (continue a stopped run) or RunDriver::fork —
    // already recording into its file; returns the new run's id. `name` defaults to the spec's name.
    // `history`: what the file already holds (a continued run's steps up to its checkpoint), shown before
    // the new steps; the run's colour, name and visibility come from it when set.
    int startDriver(std::unique_ptr<RunDriver> driver, const QString& name = {},
                    std::optional<RunData> history = std::nullopt);
    // A fresh path in the run folder for a run called `name`: <dir>/<name>-<timestamp>.attnrun ("" with
    // `error` set when the folder cannot be created).
    QString newRunPath(const QString& name, QString* error) const;

    TrainingSession* session(int runId) const;
    void pause(int runId);
    void resume(int runId);
    void stop(int runId); // asynchronous: the run ends after its current step
    // Stops every run and waits for the threads (closing the window). Leaves finished runs in place.
    void stopAll();
    // Forgets a run: stops its session (waiting for it) and removes it from the registry.
    void close(int runId);

    int trainingCount() const; // sessions whose worker runs and is not paused
    int activeCount() const;   // sessions whose worker runs, paused or not

    // Where live runs are recorded: <dir>/<name>-<timestamp>.attnrun. Default ~/.local/share/AttnScope/runs.
    static QString defaultRunDirectory();
    QString runDirectory() const { return m_runDirectory; }
    void setRunDirectory(const QString& dir) { m_runDirectory = dir; }
    void setRecording(bool on) { m_recording = on; }
    int cores() const { return m_cores; }
    void setCores(int cores) { m_cores = cores > 0 ? cores : 1; } // tests

signals:
    void sessionStarted(int runId);
    void sessionFinished(int runId);
    // The run trains but its file could not be created or written (disk full, folder not writable).
    void recordingProblem(int runId, const QString& message);

private:
    struct Prepared;
    std::unique_ptr<Prepared> prepare(const RunSpec& spec, int concurrent, QString* error) const;
    int launch(std::unique_ptr<Prepared> prepared);
    int adopt(std::unique_ptr<RunDriver> driver, RunData run, bool autoThreads, const QString& recordError);
    // Splits the cores again between the runs training now whose spec asked for "all cores": a run started,
    // paused, resumed or ended. Their losses do not depend on the thread count (core/nn/parallel.h), and an
    // oversubscribed core stalls OpenMP's barriers (docs/performance.md, "Sharing the cores").
    void rebalance();
    // Creates the run file <dir>/<name>-<timestamp>.attnrun for the driver; returns its path, or "" with
    // `error` set when the file cannot be created (the run then trains unrecorded).
    QString record(RunDriver& driver, const QString& name, QString* error);

    RunRegistry& m_registry;
    std::map<int, std::unique_ptr<TrainingSession>> m_sessions;
    std::set<int> m_autoThreads; // runs whose spec asked for all cores (threads = 0): rebalanced
    int m_cores = 1;
    QString m_runDirectory;
    bool m_recording = true;
};

} // namespace attnscope::gui
