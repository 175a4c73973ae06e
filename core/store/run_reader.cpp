#include "core/store/run_reader.h"

#include "core/probe/head_scores.h"
#include "core/store/run_schema.h"
#include "core/store/snapshot_codec.h"
#include "core/store/sqlite_db.h"
#include "core/store/writer_lock.h"
#include "core/util/clipped_text.h"
#include "core/util/error.h"
#include "core/util/json_nesting.h"

#include <algorithm>
#include <charconv>
#include <limits>
#include <nlohmann/json.hpp>
#include <zlib.h>

namespace attnscope {

namespace {

// Texts shown to the user (event messages, status messages, eval notes) are read clipped to this many
// characters: memory and display time stay bounded whatever a damaged file stores.
constexpr int kMaxStoredTextChars = 4000;

// Step numbers are ints in memory; a value outside that range can only come from a damaged file.
int toStep(std::int64_t value, const sqlite::Database& db) {
    if (value < std::numeric_limits<int>::min() || value > std::numeric_limits<int>::max())
        throw Error(db.displayName() + " is damaged: step number " + std::to_string(value) +
                    " is out of range.");
    return int(value);
}

// Rows come in primary-key order from SQLite's b-tree; keys out of order mean the tree is damaged, and
// callers (curves, cursors) rely on strictly increasing steps.
void checkAscending(const int* previous, int step, const sqlite::Database& db) {
    if (previous && step <= *previous)
        throw Error(db.displayName() + " is damaged: its records are out of order (step " +
                    std::to_string(step) + " after " + std::to_string(*previous) + ").");
}

std::vector<StepRecord> readSteps(sqlite::Database& db, int after, bool hasCeLoss) {
    // Schema 1 files have no ce_loss column: NaN then ("not recorded"), never a guess from loss.
    sqlite::Statement s(db, hasCeLoss
                                ? "SELECT step, loss, val_loss, lr, grad_norm, tokens_per_sec, elapsed_sec, "
                                  "ce_loss FROM steps WHERE step > ? ORDER BY step"
                                : "SELECT step, loss, val_loss, lr, grad_norm, tokens_per_sec, elapsed_sec, "
                                  "NULL FROM steps WHERE step > ? ORDER BY step");
    s.bind(1, std::int64_t(after));
    std::vector<StepRecord> out;
    while (s.step()) {
        StepRecord r;
        r.step = toStep(s.int64At(0), db);
        r.loss = s.doubleAt(1);
        r.valLoss = s.doubleAt(2);
        r.lr = s.doubleAt(3);
        r.gradNorm = s.doubleAt(4);
        r.tokensPerSec = s.doubleAt(5);
        r.elapsedSec = s.doubleAt(6);
        r.ceLoss = s.doubleAt(7);
        checkAscending(out.empty() ? nullptr : &out.back().step, r.step, db);
        out.push_back(r);
    }
    if (out.empty() || !db.hasTable("step_scalars")) return out; // schema 1 has no named scalars
    sqlite::Statement n(db, "SELECT step, name, value FROM step_scalars WHERE step > ? ORDER BY step, name");
    n.bind(1, std::int64_t(after));
    std::size_t at = 0;
    while (n.step()) {
        const int step = toStep(n.int64At(0), db);
        while (at < out.size() && out[at].step < step) ++at;
        if (at < out.size() && out[at].step == step) out[at].scalars.emplace_back(n.textAt(1), n.doubleAt(2));
    }
    return out;
}

std::vector<int> readStepColumn(sqlite::Database& db, const char* table, int after) {
    sqlite::Statement s(db,
                        (std::string("SELECT step FROM ") + table + " WHERE step > ? ORDER BY step").c_str());
    s.bind(1, std::int64_t(after));
    std::vector<int> out;
    while (s.step()) {
        const int step = toStep(s.int64At(0), db);
        checkAscending(out.empty() ? nullptr : &out.back(), step, db);
        out.push_back(step);
    }
    return out;
}

std::vector<Event> readEvents(sqlite::Database& db, std::int64_t afterId, std::int64_t* lastId) {
    // Texts are clipped by SQLite itself, so a damaged 20 MB message is never read into memory.
    sqlite::Statement s(
        db, "SELECT id, step, substr(kind, 1, ?2), substr(message, 1, ?2) FROM events WHERE id > ?1 "
            "ORDER BY id");
    s.bind(1, afterId).bind(2, std::int64_t(kMaxStoredTextChars));
    std::vector<Event> out;
    while (s.step()) {
        // A kind this build does not know (a newer writer's) is kept and shown by its name, never a reason
        // to refuse the file.
        const std::string kind = s.textAt(2);
        const auto parsed = parseEventKind(kind);
        out.push_back(Event{toStep(s.int64At(1), db), parsed.value_or(EventKind::Unknown), s.textAt(3),
                            parsed ? std::string() : kind});
        if (lastId) *lastId = s.int64At(0);
    }
    return out;
}

std::vector<EvalRecord> readEvals(sqlite::Database& db, std::int64_t afterId, std::int64_t* lastId) {
    sqlite::Statement s(db,
                        "SELECT id, step, length, substr(mode, 1, ?2), loss, perplexity, substr(note, 1, ?2) "
                        "FROM evals WHERE id > ?1 ORDER BY id");
    s.bind(1, afterId).bind(2, std::int64_t(kMaxStoredTextChars));
    std::vector<EvalRecord> out;
    while (s.step()) {
        EvalRecord e;
        e.step = toStep(s.int64At(1), db);
        e.length = toStep(s.int64At(2), db);
        e.mode = s.textAt(3);
        e.loss = s.doubleAt(4);
        e.perplexity = s.doubleAt(5);
        e.note = s.textAt(6);
        out.push_back(std::move(e));
        if (lastId) *lastId = s.int64At(0);
    }
    return out;
}

std::vector<StatusRecord> readStatuses(sqlite::Database& db, std::int64_t afterId, std::int64_t* lastId) {
    sqlite::Statement s(db,
                        "SELECT id, step, substr(status, 1, ?2), substr(message, 1, ?2), substr(at, 1, ?2) "
                        "FROM status_history WHERE id > ?1 ORDER BY id");
    s.bind(1, afterId).bind(2, std::int64_t(kMaxStoredTextChars));
    std::vector<StatusRecord> out;
    while (s.step()) {
        const std::string name = s.textAt(2);
        const auto status = parseRunStatus(name);
        out.push_back(StatusRecord{status.value_or(RunStatus::Unknown), toStep(s.int64At(1), db), s.textAt(3),
                                   s.textAt(4), status ? std::string() : name});
        if (lastId) *lastId = s.int64At(0);
    }
    return out;
}

// Every violated constraint of a configuration as one parenthesised list, or "" when there is none.
std::string joinedErrors(const std::vector<std::string>& errors) {
    std::string message;
    for (std::size_t i = 0; i < errors.size(); ++i) message += (i ? "; " : "") + errors[i];
    return message;
}

// Whether the run was recorded outside the engine. A schema-3 header says so in model_json's source; files
// the Python package wrote before schema 3 are known by their writer's version string.
bool recordedOutsideEngine(const RunHeader& header, const ModelDescription& model) {
    if (!header.modelJson.empty()) return model.source.value_or("") != "engine";
    return header.appVersion.rfind("attnscope-python", 0) == 0;
}

// What a pre-schema-3 Python recording stated: only the model keys its spec really holds (a missing d_model
// is unknown, not the engine's 128).
ModelDescription describeFromSpecKeys(const nlohmann::json& model) {
    ModelDescription d;
    d.source = "recorder";
    const auto count = [&](const char* key, std::optional<int>& out) {
        if (model.contains(key) && model[key].is_number_integer() && model[key].get<long long>() > 0 &&
            model[key].get<long long>() <= std::numeric_limits<int>::max())
            out = model[key].get<int>();
    };
    count("layers", d.layers);
    count("heads", d.heads);
    count("d_model", d.dModel);
    count("context", d.context);
    count("vocab", d.vocab);
    if (d.heads && d.dModel && *d.dModel % *d.heads == 0) d.headDim = *d.dModel / *d.heads;
    return d;
}

// The stored configuration, checked like a new run's model and training settings: a damaged or hand-edited
// header (heads = 0) must be reported, not divide by zero in ParamLayout. The data section is not checked:
// it names where the data came from, which a reader never opens. A run recorded outside the engine is
// checked for self-contradiction only (its model need not fit the engine's limits), and its spec's model
// section takes the shape it recorded.
RunSpec parseSpec(const RunHeader& header, const std::string& path,
                  std::optional<ExternalRunFacts>& external) {
    RunSpec spec;
    checkJsonNesting(header.specJson, path + " is damaged: its run configuration");
    checkJsonNesting(header.modelJson, path + " is damaged: its model description");
    nlohmann::json json;
    try {
        json = nlohmann::json::parse(header.specJson);
        spec = runSpecFromJson(json);
    } catch (const nlohmann::json::exception& e) {
        throw Error(path + " is damaged: its run configuration is not valid JSON (" +
                    clippedForDisplay(e.what(), kMaxShownErrorDetail) + ").");
    } catch (const Error& e) {
        throw Error(path + " has a run configuration this version cannot read: " +
                    clippedForDisplay(e.what(), kMaxShownErrorDetail));
    }
    ModelDescription model;
    try {
        model = modelDescriptionFromJsonText(header.modelJson);
    } catch (const Error& e) {
        throw Error(path + " is damaged: its model description is unreadable (" +
                    clippedForDisplay(e.what(), kMaxShownErrorDetail) + ").");
    }
    std::vector<std::string> errors;
    if (recordedOutsideEngine(header, model)) {
        const nlohmann::json section =
            json.is_object() && json.contains("model") ? json["model"] : nlohmann::json();
        if (header.modelJson.empty())
            model = describeFromSpecKeys(section.is_object() ? section : nlohmann::json::object());
        ExternalRunFacts facts;
        const nlohmann::json trainSection =
            json.is_object() && json.contains("train") ? json["train"] : nlohmann::json();
        if (trainSection.is_object())
            for (const auto& item : trainSection.items()) facts.statedTrainKeys.push_back(item.key());
        if (facts.states("steps")) facts.plannedSteps = spec.train.steps;
        if (facts.states("seed")) facts.seed = spec.train.seed;
        ModelConfig& m = spec.model;
        m.layers = model.layers.value_or(m.layers);
        m.heads = model.heads.value_or(m.heads);
        m.dModel =
            model.dModel.value_or(model.heads && model.headDim ? *model.heads * *model.headDim : m.dModel);
        m.context = model.context.value_or(m.context);
        m.vocab = model.vocab.value_or(m.vocab);
        if (m.layers < 1) errors.push_back("layers must be at least 1");
        if (m.heads < 1) errors.push_back("heads must be at least 1");
        for (const std::string& e : model.contradictions()) errors.push_back(e);
        facts.model = std::move(model);
        external = std::move(facts);
    } else {
        errors = spec.model.validate();
    }
    for (const std::string& e : spec.train.validate()) errors.push_back(e);
    if (!errors.empty())
        throw Error(path + " is damaged: its stored run configuration is invalid (" + joinedErrors(errors) +
                    ").");
    return spec;
}

} // namespace

bool ExternalRunFacts::states(const std::string& trainKey) const {
    return std::find(statedTrainKeys.begin(), statedTrainKeys.end(), trainKey) != statedTrainKeys.end();
}

ModelDescription describedModel(const RunSpec& spec, const std::optional<ExternalRunFacts>& external) {
    return external ? external->model : describeEngineModel(spec.model);
}

std::optional<int> plannedSteps(const RunSpec& spec, const std::optional<ExternalRunFacts>& external) {
    return external ? external->plannedSteps : std::optional<int>(spec.train.steps);
}

std::optional<std::uint64_t> statedSeed(const RunSpec& spec,
                                        const std::optional<ExternalRunFacts>& external) {
    return external ? external->seed : std::optional<std::uint64_t>(spec.train.seed);
}

std::vector<std::string> runBadges(const RunSpec& spec, const std::optional<ExternalRunFacts>& external) {
    // attnscope.torch.GPT models recorded from Python carry the engine's full configuration in their spec.
    if (!external || external->model.family.value_or("") == "attnscope") return spec.model.mechanismBadges();
    return external->model.badges();
}

bool RunUpdate::empty() const {
    return !rewound && steps.empty() && snapshotSteps.empty() && checkpointSteps.empty() && events.empty() &&
           evals.empty() && statusChanges.empty();
}

RunReader::RunReader(const std::string& path) : m_path(path) {
    runschema::checkFileSignature(path, path);
    m_db = std::make_unique<sqlite::Database>(path, sqlite::Database::Mode::ReadOnly, path);
    m_schemaVersion = runschema::validate(*m_db, /*forWriting=*/false);
    m_header = runschema::readHeader(*m_db);
    m_spec = parseSpec(m_header, path, m_external);
    m_hasCeLoss = runschema::hasColumn(*m_db, "steps", "ce_loss");
}

RunReader::RunReader(RunReader&&) noexcept = default;
RunReader& RunReader::operator=(RunReader&&) noexcept = default;
RunReader::~RunReader() = default;

std::string RunReader::meta(const std::string& key) const {
    return runschema::meta(*m_db, key);
}

std::vector<StepRecord> RunReader::steps() const {
    return readSteps(*m_db, std::numeric_limits<int>::min(), m_hasCeLoss);
}
std::vector<StepRecord> RunReader::stepsAfter(int step) const {
    return readSteps(*m_db, step, m_hasCeLoss);
}

std::vector<int> RunReader::snapshotSteps() const {
    return readStepColumn(*m_db, "snapshots", std::numeric_limits<int>::min());
}
std::vector<int> RunReader::snapshotStepsAfter(int step) const {
    return readStepColumn(*m_db, "snapshots", step);
}

SnapshotPtr RunReader::snapshot(int step, bool maps) const {
    sqlite::Database& db = *m_db;
    sqlite::Transaction read(db, /*write=*/false); // row and scalars from the same commit
    std::string columns = snapshotcodec::selectColumns(db);
    if (!maps) // SQLite then never reads the maps' overflow pages, the bulk of the file
        for (const char* column : {"attention", "logits"}) {
            const std::string name = column;
            const std::size_t at = columns.find(", " + name + ",");
            columns.replace(at + 2, name.size(), "NULL AS " + name);
        }
    sqlite::Statement row(db, ("SELECT " + columns + " FROM snapshots WHERE step = ?").c_str());
    row.bind(1, std::int64_t(step));
    if (!row.step()) return nullptr;
    auto snapshot = std::make_shared<ProbeSnapshot>(snapshotcodec::decode(row, m_path, maps));
    snapshot->mapsOmitted = !maps;
    fillMissingHeadScores(*snapshot); // files from before schema 3: the same scores from the stored maps
    if (db.hasTable(runschema::kInductionSnapshotTable)) {
        sqlite::Statement induction(
            db, ("SELECT " + snapshotcodec::selectColumns(db, runschema::kInductionSnapshotTable) + " FROM " +
                 runschema::kInductionSnapshotTable + " WHERE step = ?")
                    .c_str());
        induction.bind(1, std::int64_t(step));
        if (induction.step())
            snapshot->induction = std::make_shared<ProbeSnapshot>(
                snapshotcodec::decode(induction, m_path + " (induction probe)", maps));
    }
    sqlite::Statement scalars(db, "SELECT name, value FROM snapshot_scalars WHERE step = ? ORDER BY idx");
    scalars.bind(1, std::int64_t(step));
    while (scalars.step()) {
        snapshot->scalarNames.push_back(scalars.textAt(0));
        snapshot->scalarValues.push_back(float(scalars.doubleAt(1)));
    }
    read.commit();
    return snapshot;
}

std::vector<Event> RunReader::events() const {
    return readEvents(*m_db, 0, nullptr);
}
std::vector<EvalRecord> RunReader::evals() const {
    return readEvals(*m_db, 0, nullptr);
}

std::vector<int> RunReader::checkpointSteps() const {
    return readStepColumn(*m_db, "checkpoints", std::numeric_limits<int>::min());
}

std::vector<std::uint8_t> RunReader::checkpoint(int step) const {
    sqlite::Statement s(*m_db, "SELECT format, size, crc32, data FROM checkpoints WHERE step = ?");
    s.bind(1, std::int64_t(step));
    if (!s.step()) throw Error(m_path + " has no checkpoint at step " + std::to_string(step) + ".");
    if (s.textAt(0) != "safetensors")
        throw Error(m_path + " stores the checkpoint of step " + std::to_string(step) + " in format \"" +
                    s.textAt(0) + "\", which this version cannot read.");
    std::vector<std::uint8_t> bytes = s.blobAt(3);
    const auto checksum = ::crc32_z(::crc32_z(0L, Z_NULL, 0), bytes.data(), bytes.size());
    if (std::int64_t(bytes.size()) != s.int64At(1) || std::int64_t(checksum) != s.int64At(2))
        throw Error(m_path + " is damaged: the checkpoint of step " + std::to_string(step) +
                    " does not match its recorded size and checksum.");
    return bytes;
}

StatusRecord RunReader::status() const {
    sqlite::Statement s(*m_db, "SELECT max(id) FROM status_history");
    const std::int64_t last = s.step() && !s.isNull(0) ? s.int64At(0) : 0;
    std::vector<StatusRecord> latest = readStatuses(*m_db, last - 1, nullptr);
    return latest.empty() ? StatusRecord{} : latest.back();
}

std::vector<StatusRecord> RunReader::statusHistory() const {
    return readStatuses(*m_db, 0, nullptr);
}

RunUpdate RunReader::poll(RunCursor& cursor) const {
    if (m_db->changedSinceOpen()) // a writer appeared: read through its -wal from now on
        m_db = std::make_unique<sqlite::Database>(m_path, sqlite::Database::Mode::ReadOnly, m_path);
    sqlite::Database& db = *m_db;
    sqlite::Transaction read(db, /*write=*/false);
    RunUpdate update;
    RunCursor next = cursor;
    const std::string rewindsText = db.queryText("SELECT value FROM meta WHERE key = 'rewinds'");
    std::int64_t rewinds = 0;
    if (!rewindsText.empty()) {
        const auto [end, ec] =
            std::from_chars(rewindsText.data(), rewindsText.data() + rewindsText.size(), rewinds);
        if (ec != std::errc() || end != rewindsText.data() + rewindsText.size())
            throw Error(m_path + " is damaged: its rewind counter \"" + rewindsText + "\" is not a number.");
    }
    if (rewinds != cursor.rewinds) {
        next = RunCursor{};
        next.rewinds = rewinds;
        update.rewound = true;
        m_hasCeLoss = runschema::hasColumn(db, "steps", "ce_loss");
    }
    update.steps = readSteps(db, next.step, m_hasCeLoss);
    update.snapshotSteps = readStepColumn(db, "snapshots", next.snapshotStep);
    update.checkpointSteps = readStepColumn(db, "checkpoints", next.checkpointStep);
    update.events = readEvents(db, next.eventId, &next.eventId);
    update.evals = readEvals(db, next.evalId, &next.evalId);
    update.statusChanges = readStatuses(db, next.statusId, &next.statusId);
    if (!update.steps.empty()) next.step = update.steps.back().step;
    if (!update.snapshotSteps.empty()) next.snapshotStep = update.snapshotSteps.back();
    if (!update.checkpointSteps.empty()) next.checkpointStep = update.checkpointSteps.back();
    read.commit();
    cursor = next;
    return update;
}

bool RunReader::hasLiveWriter() const {
    return !WriterLock::holderPid(m_path).empty();
}

std::vector<std::string> RunReader::verify() const {
    std::vector<std::string> problems;
    try {
        sqlite::Statement s(*m_db, "PRAGMA quick_check");
        while (s.step())
            if (const std::string line = s.textAt(0); line != "ok") problems.push_back(line);
    } catch (const Error& e) {
        problems.push_back(e.what());
    }
    return problems;
}

} // namespace attnscope
