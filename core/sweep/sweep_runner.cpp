#include "core/sweep/sweep_runner.h"

#include "core/store/writer_lock.h"

#include "core/sweep/cell_run.h"
#include "core/util/error.h"

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <thread>
#include <unistd.h>

namespace attnscope {

namespace fs = std::filesystem;

namespace {

double nowSec() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::string lockPath(const std::string& folder) {
    return (fs::path(folder) / "sweep.lock").string();
}

// Holds flock(LOCK_EX | LOCK_NB) on <folder>/sweep.lock for the runner's lifetime: one process per folder.
class FolderLock {
public:
    explicit FolderLock(const std::string& folder) {
        const std::string path = lockPath(folder);
        m_fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (m_fd < 0) throw Error("Cannot create " + path + ": " + std::strerror(errno) + ".");
        if (::flock(m_fd, LOCK_EX | LOCK_NB) != 0) {
            char holder[64] = {};
            [[maybe_unused]] const auto n = ::pread(m_fd, holder, sizeof holder - 1, 0);
            ::close(m_fd);
            throw Error("Another process is running the sweep in " + folder + " (" +
                        (holder[0] ? std::string(holder) : std::string("unknown pid")) +
                        "); wait for it or stop it first.");
        }
        const std::string me = "pid " + std::to_string(::getpid());
        if (::ftruncate(m_fd, 0) == 0) {
            [[maybe_unused]] const auto n = ::pwrite(m_fd, me.data(), me.size(), 0);
        }
    }
    ~FolderLock() { ::close(m_fd); } // closing releases the lock
    FolderLock(const FolderLock&) = delete;
    FolderLock& operator=(const FolderLock&) = delete;

private:
    int m_fd = -1;
};

bool isDone(CellState s) {
    return s == CellState::Complete || s == CellState::Finished || s == CellState::Diverged;
}

} // namespace

const char* toString(CellState s) {
    switch (s) {
    case CellState::Pending:
        return "pending";
    case CellState::Running:
        return "running";
    case CellState::Complete:
        return "complete";
    case CellState::Finished:
        return "finished";
    case CellState::Diverged:
        return "diverged";
    case CellState::Stopped:
        return "stopped";
    case CellState::Failed:
        return "failed";
    }
    return "?";
}

SweepRunner::SweepRunner(SweepSpec spec, std::string folder, SweepOptions options)
    : m_spec(std::move(spec)), m_folder(std::move(folder)), m_options(options), m_cells(expandGrid(m_spec)) {
    if (m_folder.empty()) throw Error("A sweep needs a folder for its runs.");
    if (m_options.parallel < 1) throw Error("A sweep trains at least one cell at a time (parallel ≥ 1).");
    m_status.resize(m_cells.size());
    for (std::size_t i = 0; i < m_cells.size(); ++i) m_status[i].steps = m_cells[i].spec.train.steps;
}

std::string SweepRunner::cellPath(std::size_t cell) const {
    return (fs::path(m_folder) / (m_cells.at(cell).id + ".attnrun")).string();
}

std::string SweepRunner::manifestPath(const std::string& folder) {
    return (fs::path(folder) / "sweep.json").string();
}

void SweepRunner::setProgressCallback(std::function<void(const SweepProgress&)> callback) {
    m_callback = std::move(callback);
}

SweepProgress SweepRunner::progress() const {
    std::lock_guard lock(m_mutex);
    return progressLocked();
}

SweepProgress SweepRunner::progressLocked() const {
    SweepProgress p;
    p.cells = m_status;
    p.total = int(m_status.size());
    for (const CellStatus& c : m_status) {
        p.stepsTotal += c.steps;
        if (isDone(c.state)) {
            ++p.done;
            p.stepsDone += c.steps; // a diverged cell has nothing left to train
        } else
            p.stepsDone += c.step;
        p.running += c.state == CellState::Running;
        p.failed += c.state == CellState::Failed;
    }
    p.elapsedSec = m_startSec > 0 ? nowSec() - m_startSec : 0;
    if (m_stepsThisSession > 0 && p.elapsedSec > 0)
        p.etaSec = double(p.stepsTotal - p.stepsDone) * p.elapsedSec / double(m_stepsThisSession);
    p.cancelled = m_cancel.load();
    return p;
}

void SweepRunner::runCellAt(std::size_t index) {
    {
        std::lock_guard lock(m_mutex);
        m_status[index].state = CellState::Running;
        m_changed = true;
    }
    CellRunResult result;
    try {
        result = runCell(cellPath(index), m_cells[index].spec, m_options.threadsPerCell, m_cancel,
                         [&](int step, double loss) {
                             std::lock_guard lock(m_mutex);
                             m_status[index].step = step;
                             m_status[index].loss = loss;
                             ++m_stepsThisSession;
                         });
    } catch (const std::exception& e) {
        result = {RunStatus::Failed, m_status[index].step, e.what()};
    }
    std::lock_guard lock(m_mutex);
    CellStatus& s = m_status[index];
    s.step = result.step;
    switch (result.status) {
    case RunStatus::Finished:
        s.state = CellState::Finished;
        break;
    case RunStatus::Diverged:
        s.state = CellState::Diverged;
        break;
    case RunStatus::Stopped:
        s.state = CellState::Stopped;
        break;
    default:
        s.state = CellState::Failed;
        s.message = result.message.empty() ? "training failed" : result.message;
    }
    m_changed = true;
}

SweepProgress SweepRunner::run() {
    std::error_code ec;
    fs::create_directories(m_folder, ec);
    if (ec || !fs::is_directory(m_folder))
        throw Error("Cannot create the sweep folder " + m_folder + (ec ? ": " + ec.message() : "") + ".");
    FolderLock lock(m_folder);
    if (fs::exists(manifestPath(m_folder))) {
        const SweepSpec previous = readSweepManifest(m_folder);
        if (toJson(previous) != toJson(m_spec))
            throw Error(m_folder + " holds the sweep \"" + previous.name +
                        "\" with other settings (sweep.json); use another folder for this one.");
    }
    writeSweepManifest(m_folder, m_spec, m_cells);

    // What is on disk already. A file of other settings stops everything before any training.
    for (std::size_t i = 0; i < m_cells.size(); ++i) {
        const CellInspection in = inspectCell(cellPath(i), m_cells[i].spec);
        std::lock_guard guard(m_mutex);
        CellStatus& s = m_status[i];
        s = CellStatus{CellState::Pending, 0, m_cells[i].spec.train.steps, NAN, false, 0, in.reason};
        if (in.kind == CellInspection::Complete)
            s.state = CellState::Complete, s.step = in.fromStep;
        else if (in.kind == CellInspection::Resume)
            s.step = s.resumedFrom = in.fromStep, s.resumed = true,
            s.message = "resumes from step " + std::to_string(in.fromStep);
    }
    {
        std::lock_guard guard(m_mutex);
        m_startSec = nowSec();
        m_stepsThisSession = 0;
        m_next = 0;
    }
    auto nextCell = [&]() -> long {
        std::lock_guard guard(m_mutex);
        while (m_next < m_cells.size() && m_status[m_next].state != CellState::Pending) ++m_next;
        if (m_cancel || m_next >= m_cells.size()) return -1;
        return long(m_next++);
    };
    std::atomic<int> active{0};
    std::vector<std::thread> workers;
    for (int w = 0; w < m_options.parallel; ++w) {
        ++active;
        workers.emplace_back([&] {
            for (long i; (i = nextCell()) >= 0;) runCellAt(std::size_t(i));
            --active;
        });
    }
    double lastCall = 0;
    while (active.load() > 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        bool changed;
        {
            std::lock_guard guard(m_mutex);
            changed = m_changed;
            m_changed = false;
        }
        if (m_callback && (changed || nowSec() - lastCall >= m_options.interval)) {
            lastCall = nowSec();
            m_callback(progress());
        }
    }
    for (std::thread& t : workers) t.join();
    // Cells never started because of a cancel stay Pending; the final report says so.
    SweepProgress final = progress();
    if (m_callback) m_callback(final);
    return final;
}

void writeSweepManifest(const std::string& folder, const SweepSpec& spec,
                        const std::vector<SweepCell>& cells) {
    nlohmann::json list = nlohmann::json::array();
    for (const SweepCell& c : cells)
        list.push_back({{"id", c.id}, {"file", c.id + ".attnrun"}, {"labels", c.labels}});
    const nlohmann::json manifest{{"format", "attnscope-sweep-1"}, {"sweep", toJson(spec)}, {"cells", list}};
    const std::string path = SweepRunner::manifestPath(folder), tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out << manifest.dump(2) << "\n";
        if (!out) throw Error("Cannot write " + tmp + " (disk full or read-only folder?).");
    }
    std::error_code ec;
    fs::rename(tmp, path, ec); // atomic: a kill leaves the old manifest or the new one
    if (ec) throw Error("Cannot write " + path + ": " + ec.message() + ".");
}

SweepSpec readSweepManifest(const std::string& folder) {
    const std::string path = SweepRunner::manifestPath(folder);
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error("No sweep in " + folder + " (" + path + " is missing).");
    std::stringstream text;
    text << in.rdbuf();
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text.str());
    } catch (const nlohmann::json::exception& e) {
        throw Error(path + " is not valid JSON: " + e.what());
    }
    if (!j.is_object() || j.value("format", "") != "attnscope-sweep-1" || !j.contains("sweep"))
        throw Error(path + " is not an AttnScope sweep manifest.");
    try {
        return sweepSpecFromJson(j["sweep"]);
    } catch (const Error& e) {
        throw Error(path + ": " + e.what());
    }
}

std::string sweepLockHolder(const std::string& folder) {
    const std::string pid = WriterLock::holderPid(lockPath(folder)); // the same /proc/locks lookup
    return pid.empty() ? std::string() : "pid " + pid;
}

} // namespace attnscope
