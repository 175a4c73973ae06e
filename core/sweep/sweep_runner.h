#pragma once
// Runs a sweep's grid into one folder: every cell is a normal run file (<folder>/<cell id>.attnrun), trained
// `parallel` at a time with `threadsPerCell` OpenMP threads each, beside a manifest (<folder>/sweep.json: the
// sweep description and its cells). Resumable: a cell whose file is complete is skipped, one with a
// checkpoint is resumed from it (bit-identically), one without is restarted — so after Ctrl-C, a crash or
// kill -9, running the same sweep again finishes it without redoing finished cells. One process per folder:
// a second one fails at once (flock on <folder>/sweep.lock).
//
// For a GUI: construct on any thread, call run() on a worker thread, cancel() from the UI thread; the
// progress callback is invoked on the worker thread (marshal it to the UI), at most every `interval` seconds
// and at every change of a cell's state. summarizeSweep() (sweep_summary.h) reads the results.
#include "core/sweep/sweep_spec.h"

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace attnscope {

enum class CellState {
    Pending, // not started in this session (may have a partial file that will be resumed)
    Running,
    Complete, // finished or diverged in an earlier session: skipped
    Finished,
    Diverged, // a result, like Finished
    Stopped,  // cancelled; resumable
    Failed,   // an error (message says which); the other cells go on
};
const char* toString(CellState s);

struct CellStatus {
    CellState state = CellState::Pending;
    int step = 0, steps = 0; // steps done / to do
    double loss = 0;         // latest training loss (NaN before the first step)
    bool resumed = false;    // this session continued it from a checkpoint…
    int resumedFrom = 0;     // …of this step
    std::string message;     // failure reason, or why a file was restarted
};

struct SweepProgress {
    std::vector<CellStatus> cells;                    // in grid order
    int total = 0, done = 0, running = 0, failed = 0; // done = Complete + Finished + Diverged
    long long stepsDone = 0, stepsTotal = 0;          // over the whole grid
    double elapsedSec = 0;
    double etaSec = -1; // -1 until a step was trained in this session
    bool cancelled = false;
    bool finished() const { return done + failed == total; }
};

struct SweepOptions {
    int parallel = 2;       // cells training at once
    int threadsPerCell = 1; // OpenMP threads per cell (does not change any number)
    double interval = 0.5;  // seconds between progress callbacks
};

class SweepRunner {
public:
    // Expands and validates the grid (throws attnscope::Error naming the bad cell). Touches no file.
    SweepRunner(SweepSpec spec, std::string folder, SweepOptions options = {});

    const SweepSpec& spec() const { return m_spec; }
    const std::vector<SweepCell>& cells() const { return m_cells; }
    const std::string& folder() const { return m_folder; }
    std::string cellPath(std::size_t cell) const;
    static std::string manifestPath(const std::string& folder);

    void setProgressCallback(std::function<void(const SweepProgress&)> callback);

    // Blocks until every cell is complete or failed, or cancel() was called and the running cells have
    // stopped (each with a final checkpoint). Throws attnscope::Error before training anything when the
    // folder is in use by another process, cannot be written, or holds runs of other settings.
    SweepProgress run();
    void cancel() { m_cancel = true; } // thread-safe; also before run()
    SweepProgress progress() const;    // thread-safe

private:
    void runCellAt(std::size_t index);
    SweepProgress progressLocked() const;
    SweepSpec m_spec;
    std::string m_folder;
    SweepOptions m_options;
    std::vector<SweepCell> m_cells;
    std::function<void(const SweepProgress&)> m_callback;
    std::atomic<bool> m_cancel{false};
    mutable std::mutex m_mutex; // guards m_status, m_stepsAtStart, m_next
    std::vector<CellStatus> m_status;
    long long m_stepsAtStart = 0, m_stepsThisSession = 0;
    double m_startSec = 0;
    std::size_t m_next = 0;
    bool m_changed = false;
};

// Writes the manifest (sweep description + cells) of a sweep folder, and reads it back (throws
// attnscope::Error when missing or not a sweep manifest).
void writeSweepManifest(const std::string& folder, const SweepSpec& spec,
                        const std::vector<SweepCell>& cells);
SweepSpec readSweepManifest(const std::string& folder);

// "pid 1234" when a process (this one too) holds the folder's sweep lock (SweepRunner's flock); empty when
// no sweep runs in it. Read from /proc/locks rather than by trying the lock: a probe, however short, could
// make a sweep that starts at that moment fail with "another process is running the sweep".
std::string sweepLockHolder(const std::string& folder);

} // namespace attnscope
