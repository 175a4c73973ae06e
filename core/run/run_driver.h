#pragma once
// One training run, start to end, for every front end (attnscope-cli train/resume, the app's sessions, the
// sweep runner): the Trainer on its own thread, the RunRecorder writing the run file on another (never the
// caller's or the GUI's), the run header with the spec as actually used, status changes including Failed
// with the trainer's message, the final flush with retries, stop/pause/threads, continuing a run from a
// checkpoint and forking a new run from one. Qt-free. The caller watches progress through its own
// subscription to bus() and polls finished() (or blocks in wait()).
//
//   auto driver = RunDriver::create(spec);           // validates, loads the data (throws Error)
//   driver->recordTo("runs/a.attnrun");              // creates + locks the file (throws Error)
//   auto progress = driver->bus().subscribe();       // before start(): nothing is missed
//   driver->start();
//   ... drain `progress`; driver->requestStop() on Ctrl-C ...
//   RunOutcome outcome = driver->wait();             // joined, flushed; outcome.status, .message
//
//   auto more = RunDriver::continueRun("runs/a.attnrun", {.steps = 4000});   // same file, appended
//   auto child = RunDriver::fork("runs/a.attnrun", {.fromStep = 400, .childPath = "runs/b.attnrun"},
//                                [](RunSpec& s) { s.train.lr = 1e-3; });    // new file, parent recorded
//
// Threading: every method is for the owning thread (CLI main thread, GUI thread, sweep thread), except
// where noted; the driver's two threads talk to it through atomics and a mutex. The destructor stops the
// trainer, joins both threads and flushes.
#include "core/train/run_spec.h"
#include "core/train/telemetry.h"

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace attnscope {

class RunWriter;
class RunRecorder;
class Trainer;

// How a run ended (or stands, while it runs).
struct RunOutcome {
    RunStatus status = RunStatus::Created; // Finished, Stopped, Diverged or Failed once finished()
    int step = 0;                          // last completed step
    std::string message;                   // Failed: the trainer's error; Diverged: why
    std::string recordingError;            // non-empty when records could not all reach the file
    std::size_t lostMessages = 0;          // records dropped after failed writes (also noted in the file)
};

// continueRun() refuses a run that already has all its steps with this (the CLI prints it and exits 0).
class RunComplete : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class RunDriver {
public:
    // ---- Starting points -------------------------------------------------------------------------------
    // A new run. Builds the Trainer (validates the spec, loads the data; throws Error with the reasons).
    // Not recorded until recordTo().
    static std::unique_ptr<RunDriver> create(const RunSpec& spec);

    struct ContinueOptions {
        std::optional<int> fromStep; // checkpoint to continue from; default the latest
        std::optional<int> steps;    // new total step count (an extension; must be beyond fromStep)
        std::optional<int> threads;  // OpenMP threads (0 = all cores); default the run's own
    };
    // Continues `path` in place (attnscope-cli resume; the app's "continue a stopped run"): takes the file's
    // writer lock, restores the checkpoint, deletes the records after it (they are redone, bit-identically),
    // appends a note event. Throws Error when the file is being written by another writer, has no such
    // checkpoint, or its data changed since; RunComplete when it already has all its steps.
    static std::unique_ptr<RunDriver> continueRun(const std::string& path,
                                                  const ContinueOptions& options = {});

    struct ForkOptions {
        std::optional<int> fromStep; // parent checkpoint to start from; default the latest
        std::string childPath;       // the new run file
        bool overwrite = false;      // replace an existing childPath (never one being written)
    };
    // A new run file that starts from a checkpoint of `parentPath` with changed settings: `change` edits a
    // copy of the parent's spec (as of that checkpoint). The child's header records meta parent_run (the
    // parent's path) and parent_step; the child holds the starting checkpoint and a probe snapshot at that
    // step, then its own steps. Settings that change the parameter layout (model shape, vocabulary,
    // positions, mechanisms with parameters) are refused with an Error naming the first difference; so are
    // another optimiser (the checkpoint holds its state), a step count not beyond the checkpoint and data
    // that changed since the parent was recorded.
    static std::unique_ptr<RunDriver> fork(const std::string& parentPath, const ForkOptions& options,
                                           const std::function<void(RunSpec&)>& change);

    ~RunDriver();
    RunDriver(const RunDriver&) = delete;
    RunDriver& operator=(const RunDriver&) = delete;

    // ---- Before start() --------------------------------------------------------------------------------
    // Creates the run file (header = the spec as used, probe tokens, tokenizer) and takes its writer lock.
    // Throws Error (exists without overwrite, being written, folder missing, disk full). Continue and fork
    // drivers are already recording.
    void recordTo(const std::string& path, bool overwrite = false);
    // How often the recorder thread writes a batch (default 250 ms; tests shorten it).
    void setRecordInterval(int milliseconds) { m_recordIntervalMs = milliseconds; }

    // ---- Identity ----------------------------------------------------------------------------------------
    const RunSpec& spec() const;                       // as used: vocabulary from the data, threads as asked
    const std::string& path() const { return m_path; } // empty when not recorded
    bool isRecording() const { return !m_path.empty(); }
    int startStep() const { return m_startStep; } // 0, or the checkpoint a continue/fork starts from
    // Warnings for the user about how this driver was set up ("… diverged at step N; continuing with the same
    // settings will diverge at the same step again").
    const std::vector<std::string>& notices() const { return m_notices; }
    TelemetryBus& bus();
    Trainer& trainer() { return *m_trainer; } // engine access (tests, probes between steps)

    // ---- Running -----------------------------------------------------------------------------------------
    void start();                // spawns the trainer thread (and the recorder thread when recording)
    void requestStop();          // ends after the current step (wakes a paused run); any thread
    void setPaused(bool paused); // any thread
    bool paused() const;
    void setThreads(int threads); // takes effect at the next step; losses do not depend on it; any thread
    int threads() const;
    int step() const; // last completed step; any thread
    bool started() const { return m_started; }
    // True once the trainer has returned and everything it published is in the file (or given up after the
    // retries): the outcome is final. Any thread.
    bool finished() const { return m_finished.load(); }
    RunOutcome wait();                  // blocks until finished(), then outcome()
    RunOutcome outcome() const;         // the current status (final once finished()); any thread
    std::string recordingError() const; // the recorder's current problem; empty while writing fine
    // Steps of checkpoints written to the file since the last call (a probe can read them now).
    std::vector<int> takeRecordedCheckpoints();

private:
    explicit RunDriver(std::unique_ptr<Trainer> trainer);
    void attachWriter(RunWriter writer);
    void trainerThread();
    void recorderThread();
    void joinAll(bool stop);

    std::unique_ptr<Trainer> m_trainer;
    std::unique_ptr<RunRecorder> m_recorder; // subscribed before start(); pumped only by its thread
    std::string m_path;
    int m_startStep = 0;
    int m_recordIntervalMs = 250;
    std::vector<std::string> m_notices;
    bool m_started = false;

    std::thread m_trainerThread, m_recorderThread;
    std::atomic<bool> m_trainerDone{false}, m_finished{false};
    mutable std::mutex m_mutex; // guards the fields below
    std::string m_failure, m_recordingError;
    std::size_t m_lost = 0;
    std::vector<int> m_recordedCheckpoints;
};

// The header of a run file for a built trainer: its spec as used, data identity, tokenizer, probe tokens.
struct RunHeader;
RunHeader runHeaderFor(const Trainer& trainer);

} // namespace attnscope
