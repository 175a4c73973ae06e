#include "gui/session/session_manager.h"

#include "core/data/token_source.h"
#include "core/run/run_driver.h"
#include "core/train/trainer.h"
#include "core/util/error.h"
#include "gui/session/run_registry.h"
#include "gui/session/thread_budget.h"
#include "gui/session/training_session.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>
#include <QStandardPaths>
#include <exception>
#include <nlohmann/json.hpp>
#include <thread>

namespace attnscope::gui {

struct SessionManager::Prepared {
    std::unique_ptr<RunDriver> driver;
    bool autoThreads = false; // the spec asked for all cores
};

SessionManager::SessionManager(RunRegistry& registry, QObject* parent)
    : QObject(parent), m_registry(registry), m_cores(int(std::thread::hardware_concurrency())),
      m_runDirectory(defaultRunDirectory()) {
    if (m_cores <= 0) m_cores = 1;
}

QString SessionManager::defaultRunDirectory() {
    return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) +
           QStringLiteral("/AttnScope/runs");
}

QString SessionManager::newRunPath(const QString& name, QString* error) const {
    if (!QDir().mkpath(m_runDirectory)) {
        *error = tr("Cannot create the run folder %1.").arg(m_runDirectory);
        return {};
    }
    QString base = name;
    base.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9_.-]+")), QStringLiteral("_"));
    const QString stem = QDir(m_runDirectory)
                             .filePath(QStringLiteral("%1-%2").arg(
                                 base, QDateTime::currentDateTime().toString("yyyyMMdd-HHmmss")));
    QString file = stem + QString::fromLatin1(kRunFileExtension);
    for (int i = 2; QFileInfo::exists(file); ++i) // two runs started in the same second
        file = QStringLiteral("%1-%2%3").arg(stem).arg(i).arg(QString::fromLatin1(kRunFileExtension));
    return file;
}

QString SessionManager::record(RunDriver& driver, const QString& name, QString* error) {
    const QString file = newRunPath(name, error);
    if (file.isEmpty()) return {};
    try {
        driver.recordTo(file.toStdString()); // the header stores the spec as used (vocabulary from the data)
        return file;
    } catch (const std::exception& e) {
        *error = QString::fromStdString(e.what());
        return {};
    }
}

SessionManager::~SessionManager() {
    stopAll();
}

std::unique_ptr<SessionManager::Prepared> SessionManager::prepare(const RunSpec& spec, int concurrent,
                                                                  QString* error) const {
    auto prepared = std::make_unique<Prepared>();
    prepared->autoThreads = spec.train.threads <= 0;
    RunSpec resolved = spec;
    resolved.train.threads = threadsForRun(spec.train.threads, concurrent, m_cores);
    try {
        prepared->driver = RunDriver::create(resolved);
    } catch (const std::exception& e) {
        if (error) *error = QString::fromStdString(e.what());
        return nullptr;
    }
    return prepared;
}

int SessionManager::launch(std::unique_ptr<Prepared> prepared) {
    RunDriver& driver = *prepared->driver;
    RunData run;
    run.name = m_registry.uniqueName(QString::fromStdString(driver.spec().name));
    run.spec = driver.spec(); // as used: the vocabulary comes from the data
    run.tokenizer = std::make_shared<Tokenizer>(driver.trainer().data().tokenizer());
    run.live = true;
    // The file exists before the run is announced, so every listener sees its path from the start.
    QString recordError;
    if (m_recording) run.filePath = record(driver, run.name, &recordError);
    return adopt(std::move(prepared->driver), std::move(run), prepared->autoThreads, recordError);
}

int SessionManager::startDriver(std::unique_ptr<RunDriver> driver, const QString& name,
                                std::optional<RunData> history) {
    RunData run = history ? std::move(*history) : RunData{};
    run.name = m_registry.uniqueName(name.isEmpty() ? QString::fromStdString(driver->spec().name) : name);
    run.spec = driver->spec();
    run.tokenizer = std::make_shared<Tokenizer>(driver->trainer().data().tokenizer());
    run.live = true;
    run.filePath = QString::fromStdString(driver->path());
    const bool autoThreads = driver->spec().train.threads <= 0;
    const int id = adopt(std::move(driver), std::move(run), autoThreads, {});
    rebalance();
    return id;
}

int SessionManager::adopt(std::unique_ptr<RunDriver> driver, RunData run, bool autoThreads,
                          const QString& recordError) {
    const int id = m_registry.add(std::move(run));
    auto session = std::make_unique<TrainingSession>(m_registry, id, std::move(driver), this);
    connect(session.get(), &TrainingSession::finished, this, &SessionManager::sessionFinished);
    connect(session.get(), &TrainingSession::finished, this, [this] { rebalance(); });
    if (autoThreads) m_autoThreads.insert(id);
    connect(session.get(), &TrainingSession::recordingFailed, this, &SessionManager::recordingProblem);
    TrainingSession* raw = session.get();
    m_sessions[id] = std::move(session);
    raw->start();
    emit sessionStarted(id);
    if (!recordError.isEmpty()) emit recordingProblem(id, recordError);
    return id;
}

int SessionManager::start(const RunSpec& spec, QString* error) {
    auto prepared = prepare(spec, trainingCount(), error);
    if (!prepared) return 0;
    const int id = launch(std::move(prepared));
    rebalance();
    return id;
}

std::pair<int, int> SessionManager::startPair(const RunSpec& a, const RunSpec& b, QString* error) {
    const std::vector<int> ids = startGroup({a, b}, error);
    return ids.size() == 2 ? std::make_pair(ids[0], ids[1]) : std::make_pair(0, 0);
}

std::vector<int> SessionManager::startGroup(const std::vector<RunSpec>& specs, QString* error) {
    // Every run of the group gets the same thread count so none is favoured in wall time.
    const int concurrent = trainingCount() + int(specs.size()) - 1;
    std::vector<std::unique_ptr<Prepared>> prepared;
    for (const RunSpec& spec : specs) {
        auto p = prepare(spec, concurrent, error);
        if (!p) {
            if (error) *error = QString::fromStdString(spec.name) + ": " + *error;
            return {};
        }
        prepared.push_back(std::move(p));
    }
    std::vector<int> ids;
    for (auto& p : prepared) ids.push_back(launch(std::move(p)));
    rebalance();
    return ids;
}

TrainingSession* SessionManager::session(int runId) const {
    auto it = m_sessions.find(runId);
    return it == m_sessions.end() ? nullptr : it->second.get();
}

void SessionManager::pause(int runId) {
    if (auto* s = session(runId)) s->setPaused(true);
    rebalance();
}

void SessionManager::resume(int runId) {
    if (auto* s = session(runId)) s->setPaused(false);
    rebalance();
}

void SessionManager::stop(int runId) {
    if (auto* s = session(runId)) s->requestStop();
}

void SessionManager::stopAll() {
    // Ask everyone first so the runs wind down in parallel, then wait for each.
    for (auto& [id, s] : m_sessions) s->requestStop();
    for (auto& [id, s] : m_sessions) s->stopAndWait();
}

void SessionManager::close(int runId) {
    auto it = m_sessions.find(runId);
    if (it != m_sessions.end()) {
        it->second->stopAndWait();
        m_sessions.erase(it);
    }
    m_autoThreads.erase(runId);
    m_registry.remove(runId);
    rebalance();
}

void SessionManager::rebalance() {
    std::vector<Trainer*> shared;
    int fixed = 0; // cores taken by runs with an explicit thread count
    for (const auto& [id, s] : m_sessions) {
        if (!s->isRunning() || s->isPaused()) continue;
        if (m_autoThreads.count(id))
            shared.push_back(&s->trainer());
        else
            fixed += s->trainer().threads();
    }
    if (shared.empty()) return;
    const int each = std::max(1, (m_cores - fixed) / int(shared.size()));
    for (Trainer* t : shared) t->setThreads(each);
}

int SessionManager::activeCount() const {
    int n = 0;
    for (const auto& [id, s] : m_sessions)
        if (s->isRunning()) ++n;
    return n;
}

int SessionManager::trainingCount() const {
    int n = 0;
    for (const auto& [id, s] : m_sessions)
        if (s->isRunning() && !s->isPaused()) ++n;
    return n;
}

} // namespace attnscope::gui
