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

int runExportData(const Args& args) {
    const std::string run = args.positionals().at(0);
    if (!args.has("out")) throw UsageError("export-data needs --out DIR");
    const std::string dir = *args.text("out");
    const RunReader reader(run);
    const std::vector<int> snapshotSteps = reader.snapshotSteps();
    const std::vector<int> mapSteps = selectSteps(args, snapshotSteps, run);
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec || !std::filesystem::is_directory(dir)) throw Error("Cannot create the folder " + dir + ".");

    std::vector<std::string> written;
    writeSteps(reader, dir, written);
    writeEventsAndEvals(reader, dir, written);

    CsvWriter heads(dir + "/heads.csv", {"step",
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
                                         "local_mass"});
    // Every head's role and the scores it is decided on (core/probe/head_roles.h): the token-pattern scores
    // from the induction probe when the run records one.
    CsvWriter roles(dir + "/roles.csv", {"step", "layer", "head", "role", "previous_token", "duplicate_token",
                                         "induction", "sink", "local_mass", "mean_distance", "norm_entropy"});
    // Per-position norms (extreme-token phenomena): value_norm per head, residual_norm per layer (head -1;
    // layer L = the final stream).
    CsvWriter positions(dir + "/positions.csv", {"step", "metric", "layer", "head", "position", "value"});
    CsvWriter scalars(dir + "/scalars.csv", {"step", "name", "value"});
    std::unique_ptr<NpyWriter> attention, logits;
    std::vector<int> layers, headList;
    std::vector<std::int32_t> tokens;
    int length = 0;
    for (const int step : snapshotSteps) {
        const SnapshotPtr snap = reader.snapshot(step);
        if (!snap) continue;
        const ProbeSnapshot& s = *snap;
        for (int l = 0; l < s.layers; ++l)
            for (int h = 0; h < s.heads; ++h) {
                const std::size_t i = s.headIndex(l, h);
                heads.row(
                    {std::to_string(step),        std::to_string(l),           std::to_string(h),
                     metric(s.entropy, i),        metric(s.normEntropy, i),    metric(s.maxLogit, i),
                     metric(s.meanRowMax, i),     metric(s.sinkScore, i),      metric(s.meanDistance, i),
                     metric(s.sigmaQK, i),        metric(s.sigmaQ, i),         metric(s.sigmaK, i),
                     metric(s.entropyBound, i),   metric(s.sinkNonTrigger, i), metric(s.topKey, i),
                     metric(s.topKeyShare, i),    metric(s.previousToken, i),  metric(s.duplicateToken, i),
                     metric(s.inductionScore, i), metric(s.localMass, i)});
                for (int j = 0; j < s.length && !s.valueNorm.empty(); ++j)
                    positions.row({std::to_string(step), "value_norm", std::to_string(l), std::to_string(h),
                                   std::to_string(j), metric(s.valueNorm, i * std::size_t(s.length) + j)});
            }
        const std::vector<RoleScores> roleInputs = roleScores(s, s.induction.get());
        for (std::size_t i = 0; i < roleInputs.size(); ++i) {
            const RoleScores& r = roleInputs[i];
            roles.row({std::to_string(step), std::to_string(int(i) / s.heads),
                       std::to_string(int(i) % s.heads), toString(classifyHead(r)),
                       exactNumber(r.previousToken), exactNumber(r.duplicateToken), exactNumber(r.induction),
                       exactNumber(r.sink), exactNumber(r.localMass), exactNumber(r.meanDistance),
                       exactNumber(r.normEntropy)});
        }
        for (int l = 0; l <= s.layers && !s.residualNorm.empty(); ++l)
            for (int j = 0; j < s.length; ++j)
                positions.row({std::to_string(step), "residual_norm", std::to_string(l), "-1",
                               std::to_string(j), metric(s.residualNorm, std::size_t(l) * s.length + j)});
        const std::string st = std::to_string(step);
        scalars.row({st, "sink_rate", exactNumber(s.sinkRate)});
        scalars.row({st, "out_logit_max", exactNumber(s.outLogitMax)});
        scalars.row({st, "mean_log_z", exactNumber(s.meanLogZ)});
        for (std::size_t l = 0; l < s.importanceEntropy.size(); ++l)
            scalars.row(
                {st, "importance_entropy/l" + std::to_string(l), exactNumber(s.importanceEntropy[l])});
        for (std::size_t k = 0; k < s.scalarNames.size() && k < s.scalarValues.size(); ++k)
            scalars.row({st, s.scalarNames[k], exactNumber(s.scalarValues[k])});

        if (!std::binary_search(mapSteps.begin(), mapSteps.end(), step)) continue;
        if (!attention) { // the first selected snapshot fixes the array shape
            layers = selectIndices(args, "layers", s.layers);
            headList = selectIndices(args, "heads", s.heads);
            length = s.length;
            tokens = s.tokens;
            const std::vector<std::int64_t> shape{std::int64_t(mapSteps.size()), std::int64_t(layers.size()),
                                                  std::int64_t(headList.size()), length, length};
            // Checked before any map is written: a run whose recorder saw probabilities only (capture=fn
            // returning attention maps) has no logits, and a half-written logits.npy would be worse than
            // none.
            if (args.has("logits") && s.logits.empty())
                throw Error(run +
                            " recorded no content logits (its recorder captured attention probabilities "
                            "only): export without --logits.");
            attention = std::make_unique<NpyWriter>(dir + "/attention.npy", "<f4", shape);
            if (args.has("logits")) logits = std::make_unique<NpyWriter>(dir + "/logits.npy", "<f4", shape);
        }
        if (s.length != length || s.attention.empty())
            throw Error(run + ": the snapshot of step " + st + " has no attention maps of length " +
                        std::to_string(length) + ".");
        const std::size_t mapSize = std::size_t(length) * std::size_t(length);
        for (const int l : layers)
            for (const int h : headList) {
                if (l >= s.layers || h >= s.heads)
                    throw Error(run + ": the snapshot of step " + st + " is smaller.");
                attention->append(s.map(l, h), mapSize);
                if (logits) {
                    if (s.logits.empty())
                        throw Error(run + ": the snapshot of step " + st + " has no logits.");
                    logits->append(s.logitMap(l, h), mapSize);
                }
            }
    }
    heads.close();
    roles.close();
    positions.close();
    scalars.close();
    written.push_back("heads.csv (" + std::to_string(heads.rows()) + " rows)");
    written.push_back("roles.csv (" + std::to_string(roles.rows()) + " rows)");
    written.push_back("positions.csv (" + std::to_string(positions.rows()) + " rows)");
    written.push_back("scalars.csv (" + std::to_string(scalars.rows()) + " rows)");
    if (attention) {
        attention->close();
        if (logits) logits->close();
        NpyWriter tokenFile(dir + "/tokens.npy", "<i4", {std::int64_t(tokens.size())});
        tokenFile.append(tokens.data(), tokens.size());
        tokenFile.close();
        const Tokenizer tokenizer = Tokenizer::fromJson(reader.header().tokenizerJson);
        nlohmann::json index{{"shape", {mapSteps.size(), layers.size(), headList.size(), length, length}},
                             {"axes", {"step", "layer", "head", "query", "key"}},
                             {"steps", mapSteps},
                             {"layers", layers},
                             {"heads", headList},
                             {"tokens", nlohmann::json::array()}};
        for (const std::int32_t t : tokens) index["tokens"].push_back(tokenizer.display(t));
        std::ofstream(dir + "/attention.json") << index.dump(2) << '\n';
        written.push_back("attention.npy [" + std::to_string(mapSteps.size()) + ", " +
                          std::to_string(layers.size()) + ", " + std::to_string(headList.size()) + ", " +
                          std::to_string(length) + ", " + std::to_string(length) + "]" +
                          (logits ? ", logits.npy" : "") + ", tokens.npy, attention.json");
    }
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
