// attnscope-cli export-data: a run's curves as CSV and its attention maps as NumPy arrays, for notebooks.
#include "cli/common.h"
#include "core/data/tokenizer.h"
#include "core/probe/head_roles.h"
#include "core/store/csv_writer.h"
#include "core/store/npy_writer.h"
#include "core/store/run_reader.h"
#include "core/util/error.h"

#include <algorithm>
#include <climits>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

namespace attnscope::cli {

namespace {

// --steps a,b | all | last | none against the snapshot steps the run has.
std::vector<int> selectSteps(const Args& args, const std::vector<int>& available, const std::string& run) {
    const std::string text = args.text("steps", "last");
    if (text == "none") return {};
    if (text == "all") return available;
    if (text == "last") return available.empty() ? std::vector<int>{} : std::vector<int>{available.back()};
    std::vector<int> wanted = *args.integerList("steps", 0, INT_MAX);
    for (const int s : wanted)
        if (!std::binary_search(available.begin(), available.end(), s)) {
            // Name the nearest snapshots, so the user can correct the step without listing them all.
            const auto after = std::lower_bound(available.begin(), available.end(), s);
            std::string hint;
            if (after != available.begin()) hint += std::to_string(*(after - 1));
            if (after != available.end()) hint += (hint.empty() ? "" : " or ") + std::to_string(*after);
            throw Error(run + " has no snapshot at step " + std::to_string(s) +
                        (hint.empty() ? " (it has none)." : "; the nearest are at step " + hint + "."));
        }
    std::sort(wanted.begin(), wanted.end());
    wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
    return wanted;
}

// --layers / --heads: "all" or a list of indices below `count`.
std::vector<int> selectIndices(const Args& args, const std::string& option, int count) {
    const std::string text = args.text(option, "all");
    std::vector<int> out;
    if (text == "all") {
        for (int i = 0; i < count; ++i) out.push_back(i);
        return out;
    }
    return *args.integerList(option, 0, count - 1);
}

void writeSteps(const RunReader& reader, const std::string& dir, std::vector<std::string>& written) {
    CsvWriter csv(dir + "/steps.csv",
                  {"step", "loss", "val_loss", "lr", "grad_norm", "tokens_per_sec", "elapsed", "ce_loss"});
    CsvWriter named(dir + "/step_scalars.csv", {"step", "name", "value"});
    for (const StepRecord& r : reader.steps()) {
        csv.row({std::to_string(r.step), exactNumber(r.loss), exactNumber(r.valLoss), exactNumber(r.lr),
                 exactNumber(r.gradNorm), exactNumber(r.tokensPerSec), exactNumber(r.elapsedSec),
                 exactNumber(r.ceLoss)});
        for (const auto& [name, value] : r.scalars)
            named.row({std::to_string(r.step), name, exactNumber(value)});
    }
    csv.close();
    named.close();
    written.push_back("steps.csv (" + std::to_string(csv.rows()) + " rows)");
    written.push_back("step_scalars.csv (" + std::to_string(named.rows()) + " rows)");
}

void writeEventsAndEvals(const RunReader& reader, const std::string& dir, std::vector<std::string>& written) {
    CsvWriter events(dir + "/events.csv", {"step", "kind", "message"});
    for (const Event& e : reader.events()) events.row({std::to_string(e.step), e.kindName(), e.message});
    events.close();
    CsvWriter evals(dir + "/evals.csv", {"step", "length", "mode", "loss", "perplexity", "note"});
    for (const EvalRecord& e : reader.evals())
        evals.row({std::to_string(e.step), std::to_string(e.length), e.mode, exactNumber(e.loss),
                   exactNumber(e.perplexity), e.note});
    evals.close();
    written.push_back("events.csv (" + std::to_string(events.rows()) + " rows)");
    written.push_back("evals.csv (" + std::to_string(evals.rows()) + " rows)");
}

std::string metric(const std::vector<float>& values, std::size_t i) {
    return i < values.size() ? exactNumber(values[i]) : std::string(); // absent metric: empty cell
}

// heads.csv, roles.csv, positions.csv and scalars.csv: rows for every snapshot the run has.
class SnapshotTables {
public:
    explicit SnapshotTables(const std::string& dir)
        : m_heads(dir + "/heads.csv", {"step",
                                       "layer",
                                       "head",
                                       "entropy",
                                       "norm_entropy",
                                       "max_logit",
                                       "mean_row_max",
                                       "sink_score",
                                       "mean_distance",
                                       "sigma_qk",
                                       "sigma_q",
                                       "sigma_k",
                                       "entropy_bound",
                                       "sink_non_trigger",
                                       "top_key",
                                       "top_key_share",
                                       "previous_token",
                                       "duplicate_token",
                                       "induction_score",
                                       "local_mass"}),
          // Every head's role and the scores it is decided on (core/probe/head_roles.h): the token-pattern
          // scores from the induction probe when the run records one.
          m_roles(dir + "/roles.csv", {"step", "layer", "head", "role", "previous_token", "duplicate_token",
                                       "induction", "sink", "local_mass", "mean_distance", "norm_entropy"}),
          // Per-position norms (extreme-token phenomena): value_norm per head, residual_norm per layer (head
          // -1; layer L = the final stream).
          m_positions(dir + "/positions.csv", {"step", "metric", "layer", "head", "position", "value"}),
          m_scalars(dir + "/scalars.csv", {"step", "name", "value"}) {}

    void add(int step, const ProbeSnapshot& s) {
        const std::string st = std::to_string(step);
        for (int l = 0; l < s.layers; ++l)
            for (int h = 0; h < s.heads; ++h) {
                const std::size_t i = s.headIndex(l, h);
                m_heads.row({st,
                             std::to_string(l),
                             std::to_string(h),
                             metric(s.entropy, i),
                             metric(s.normEntropy, i),
                             metric(s.maxLogit, i),
                             metric(s.meanRowMax, i),
                             metric(s.sinkScore, i),
                             metric(s.meanDistance, i),
                             metric(s.sigmaQK, i),
                             metric(s.sigmaQ, i),
                             metric(s.sigmaK, i),
                             metric(s.entropyBound, i),
                             metric(s.sinkNonTrigger, i),
                             metric(s.topKey, i),
                             metric(s.topKeyShare, i),
                             metric(s.previousToken, i),
                             metric(s.duplicateToken, i),
                             metric(s.inductionScore, i),
                             metric(s.localMass, i)});
                for (int j = 0; j < s.length && !s.valueNorm.empty(); ++j)
                    m_positions.row({st, "value_norm", std::to_string(l), std::to_string(h),
                                     std::to_string(j), metric(s.valueNorm, i * std::size_t(s.length) + j)});
            }
        const std::vector<RoleScores> roleInputs = roleScores(s, s.induction.get());
        for (std::size_t i = 0; i < roleInputs.size(); ++i) {
            const RoleScores& r = roleInputs[i];
            m_roles.row({st, std::to_string(int(i) / s.heads), std::to_string(int(i) % s.heads),
                         toString(classifyHead(r)), exactNumber(r.previousToken),
                         exactNumber(r.duplicateToken), exactNumber(r.induction), exactNumber(r.sink),
                         exactNumber(r.localMass), exactNumber(r.meanDistance), exactNumber(r.normEntropy)});
        }
        for (int l = 0; l <= s.layers && !s.residualNorm.empty(); ++l)
            for (int j = 0; j < s.length; ++j)
                m_positions.row({st, "residual_norm", std::to_string(l), "-1", std::to_string(j),
                                 metric(s.residualNorm, std::size_t(l) * s.length + j)});
        m_scalars.row({st, "sink_rate", exactNumber(s.sinkRate)});
        m_scalars.row({st, "out_logit_max", exactNumber(s.outLogitMax)});
        m_scalars.row({st, "mean_log_z", exactNumber(s.meanLogZ)});
        for (std::size_t l = 0; l < s.importanceEntropy.size(); ++l)
            m_scalars.row(
                {st, "importance_entropy/l" + std::to_string(l), exactNumber(s.importanceEntropy[l])});
        for (std::size_t k = 0; k < s.scalarNames.size() && k < s.scalarValues.size(); ++k)
            m_scalars.row({st, s.scalarNames[k], exactNumber(s.scalarValues[k])});
    }

    void close(std::vector<std::string>& written) {
        for (CsvWriter* table : {&m_heads, &m_roles, &m_positions, &m_scalars}) {
            table->close();
            written.push_back(std::filesystem::path(table->path()).filename().string() + " (" +
                              std::to_string(table->rows()) + " rows)");
        }
    }

private:
    CsvWriter m_heads, m_roles, m_positions, m_scalars;
};

// attention.npy (and logits.npy) of the selected snapshots, [steps, layers, heads, T, T], with tokens.npy and
// attention.json; the first selected snapshot fixes the shape.
class MapArrays {
public:
    MapArrays(const Args& args, const std::string& run, const std::string& dir, std::vector<int> steps)
        : m_args(args), m_run(run), m_dir(dir), m_steps(std::move(steps)) {}

    bool wants(int step) const { return std::binary_search(m_steps.begin(), m_steps.end(), step); }

    void add(int step, const ProbeSnapshot& s) {
        const std::string st = std::to_string(step);
        if (!m_attention) open(s);
        if (s.length != m_length || s.attention.empty())
            throw Error(m_run + ": the snapshot of step " + st + " has no attention maps of length " +
                        std::to_string(m_length) + ".");
        const std::size_t mapSize = std::size_t(m_length) * std::size_t(m_length);
        for (const int l : m_layers)
            for (const int h : m_heads) {
                if (l >= s.layers || h >= s.heads)
                    throw Error(m_run + ": the snapshot of step " + st + " is smaller.");
                m_attention->append(s.map(l, h), mapSize);
                if (m_logits) {
                    if (s.logits.empty())
                        throw Error(m_run + ": the snapshot of step " + st + " has no logits.");
                    m_logits->append(s.logitMap(l, h), mapSize);
                }
            }
    }

    void close(const RunReader& reader, std::vector<std::string>& written) {
        if (!m_attention) return;
        const Tokenizer tokenizer = Tokenizer::fromJson(reader.header().tokenizerJson);
        m_attention->close();
        if (m_logits) m_logits->close();
        NpyWriter tokenFile(m_dir + "/tokens.npy", "<i4", {std::int64_t(m_tokens.size())});
        tokenFile.append(m_tokens.data(), m_tokens.size());
        tokenFile.close();
        nlohmann::json index{{"shape", {m_steps.size(), m_layers.size(), m_heads.size(), m_length, m_length}},
                             {"axes", {"step", "layer", "head", "query", "key"}},
                             {"steps", m_steps},
                             {"layers", m_layers},
                             {"heads", m_heads},
                             {"tokens", nlohmann::json::array()}};
        for (const std::int32_t t : m_tokens) index["tokens"].push_back(tokenizer.display(t));
        std::ofstream(m_dir + "/attention.json") << index.dump(2) << '\n';
        written.push_back("attention.npy [" + std::to_string(m_steps.size()) + ", " +
                          std::to_string(m_layers.size()) + ", " + std::to_string(m_heads.size()) + ", " +
                          std::to_string(m_length) + ", " + std::to_string(m_length) + "]" +
                          (m_logits ? ", logits.npy" : "") + ", tokens.npy, attention.json");
    }

private:
    void open(const ProbeSnapshot& s) {
        m_layers = selectIndices(m_args, "layers", s.layers);
        m_heads = selectIndices(m_args, "heads", s.heads);
        m_length = s.length;
        m_tokens = s.tokens;
        const std::vector<std::int64_t> shape{std::int64_t(m_steps.size()), std::int64_t(m_layers.size()),
                                              std::int64_t(m_heads.size()), m_length, m_length};
        // Checked before any map is written: a run whose recorder saw probabilities only (capture=fn
        // returning attention maps) has no logits, and a half-written logits.npy would be worse than none.
        if (m_args.has("logits") && s.logits.empty())
            throw Error(m_run + " recorded no content logits (its recorder captured attention probabilities "
                                "only): export without --logits.");
        m_attention = std::make_unique<NpyWriter>(m_dir + "/attention.npy", "<f4", shape);
        if (m_args.has("logits")) m_logits = std::make_unique<NpyWriter>(m_dir + "/logits.npy", "<f4", shape);
    }

    const Args& m_args;
    std::string m_run, m_dir;
    std::vector<int> m_steps, m_layers, m_heads;
    std::vector<std::int32_t> m_tokens;
    int m_length = 0;
    std::unique_ptr<NpyWriter> m_attention, m_logits;
};

int runExportData(const Args& args) {
    const std::string run = args.positionals().at(0);
    if (!args.has("out")) throw UsageError("export-data needs --out DIR");
    const std::string dir = *args.text("out");
    const RunReader reader(run);
    const std::vector<int> snapshotSteps = reader.snapshotSteps();
    MapArrays maps(args, run, dir, selectSteps(args, snapshotSteps, run));
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec || !std::filesystem::is_directory(dir)) throw Error("Cannot create the folder " + dir + ".");

    std::vector<std::string> written;
    writeSteps(reader, dir, written);
    writeEventsAndEvals(reader, dir, written);
    SnapshotTables tables(dir);
    for (const int step : snapshotSteps) {
        const SnapshotPtr snap = reader.snapshot(step);
        if (!snap) continue;
        tables.add(step, *snap);
        if (maps.wants(step)) maps.add(step, *snap);
    }
    tables.close(written);
    maps.close(reader, written);
    std::printf("exported %s to %s/:\n", run.c_str(), dir.c_str());
    for (const std::string& w : written) std::printf("  %s\n", w.c_str());
    return 0;
}

} // namespace

const Command& exportDataCommand() {
    static const Command command{
        {"export-data",
         "export curves as CSV and attention maps as NumPy .npy",
         "attnscope-cli export-data RUN --out DIR [--steps a,b|all|last|none] [--layers ...] [--heads ...]",
         "Writes DIR/steps.csv (step, loss = cross-entropy + z-loss, val_loss, lr, grad_norm,\n"
         "tokens_per_sec, elapsed, ce_loss = cross-entropy alone, empty in runs recorded before it\n"
         "existed), heads.csv (per snapshot, layer and head: entropy, norm_entropy, max_logit,\n"
         "mean_row_max, sink_score, mean_distance, sigma_qk, sigma_q, sigma_k, entropy_bound, ..., "
         "previous_token,\n"
         "duplicate_token, induction_score, local_mass), roles.csv (each head's role and the scores "
         "deciding\n"
         "it, docs/metrics.md), scalars.csv\n"
         "(step, name, value), events.csv and evals.csv. Numbers are written exactly (shortest round-trip\n"
         "form); empty cells are NaN/absent.\n"
         "The probe's attention maps of the selected snapshots go to attention.npy, float32 of shape\n"
         "[steps, layers, heads, T, T] (query × key, 0 above the diagonal), with tokens.npy (int32 [T]) and\n"
         "attention.json naming the steps, layers, heads and token labels. numpy.load reads them.",
         1,
         1,
         {{"out", "DIR", "output folder (created if missing; files in it are replaced)"},
          {"steps", "LIST", "snapshot steps for the maps: a,b,... | all | last (default) | none"},
          {"layers", "LIST", "layers for the maps: a,b,... | all (default)"},
          {"heads", "LIST", "heads for the maps: a,b,... | all (default)"},
          {"logits", "", "also write logits.npy (content logits q·k/√D, NaN where masked)"}},
         "  attnscope-cli export-data runs/alibi.attnrun --out alibi-data --steps all --layers 0 --heads "
         "0,1\n"
         "  python3 -c \"import numpy as np; print(np.load('alibi-data/attention.npy').shape)\"\n"},
        runExportData};
    return command;
}

} // namespace attnscope::cli
