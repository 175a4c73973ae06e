// attnscope-cli sweep: trains a grid of runs (core/sweep) into one folder, resumably, and summarises it.
#include "cli/common.h"
#include "cli/interrupts.h"
#include "core/sweep/sweep_presets.h"
#include "core/sweep/sweep_runner.h"
#include "core/sweep/sweep_summary.h"
#include "core/util/clipped_text.h"
#include "core/util/error.h"
#include "core/util/input_file.h"
#include "core/util/json_nesting.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <unistd.h>

namespace attnscope::cli {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::vector<std::string> split(const std::string& text, char separator) {
    std::vector<std::string> parts;
    std::stringstream in(text);
    for (std::string part; std::getline(in, part, separator);)
        if (!part.empty()) parts.push_back(part);
    return parts;
}

// "1e-3" → number, "true"/"false" → boolean, anything else → string ("fused").
json scalar(const std::string& text) {
    if (text == "true") return true;
    if (text == "false") return false;
    std::int64_t i = 0;
    if (parseInt64(text, i)) return i;
    double d = 0;
    if (parseDouble(text, d)) return d;
    return text;
}

// "section.key=v1,v2;section.key=v" → (field, values) pairs.
std::vector<std::pair<std::string, std::vector<json>>> assignments(const std::string& option,
                                                                   const std::string& text) {
    std::vector<std::pair<std::string, std::vector<json>>> out;
    for (const std::string& item : split(text, ';')) {
        const auto eq = item.find('=');
        if (eq == std::string::npos || eq == 0 || eq + 1 == item.size())
            throw UsageError("option --" + option +
                             ": expected FIELD=VALUE[,VALUE…] items separated by ';', got '" + item + "'");
        std::vector<json> values;
        for (const std::string& v : split(item.substr(eq + 1), ',')) values.push_back(scalar(v));
        out.push_back({item.substr(0, eq), values});
    }
    return out;
}

json readJsonFile(const std::string& path) {
    const std::string label = "The sweep file " + path;
    const std::string text = readInputFile(path, kMaxConfigFileBytes, label);
    checkJsonNesting(text, label);
    try {
        return json::parse(text);
    } catch (const json::exception& e) {
        throw Error(label + " is not valid JSON: " + clippedForDisplay(e.what(), kMaxShownErrorDetail));
    }
}

SweepSpec specFromArgs(const Args& args) {
    const int sources = args.has("preset") + args.has("spec") + args.has("grid");
    if (sources != 1) throw UsageError("give exactly one of --preset, --spec or --grid");
    SweepSpec spec;
    if (auto id = args.text("preset")) {
        const SweepPreset* preset = findSweepPreset(*id);
        if (!preset)
            throw UsageError("unknown sweep preset '" + *id + "' (attnscope-cli sweep --list lists them)");
        spec = preset->spec;
    } else if (auto file = args.text("spec")) {
        try {
            spec = sweepSpecFromJson(readJsonFile(*file));
        } catch (const Error& e) {
            throw Error(*file + ": " + e.what());
        }
    } else {
        json j{{"name", args.text("name", "sweep")}, {"axes", json::array()}};
        if (auto base = args.text("base-preset")) j["base_preset"] = *base;
        for (const auto& [field, values] : assignments("grid", *args.text("grid")))
            j["axes"].push_back({{"field", field}, {"values", values}});
        spec = sweepSpecFromJson(j);
    }
    if (args.has("base-preset") && !args.has("grid")) throw UsageError("--base-preset goes with --grid");
    if (auto name = args.text("name")) spec.name = *name;
    if (auto set = args.text("set")) {
        for (const auto& [field, values] : assignments("set", *set)) {
            if (values.size() != 1) throw UsageError("option --set: " + field + " takes one value");
            const auto dot = field.find('.');
            if (dot == std::string::npos)
                throw UsageError("option --set: expected section.key, got '" + field + "'");
            spec.base[field.substr(0, dot)][field.substr(dot + 1)] = values[0];
        }
    }
    return spec;
}

std::string statText(const Stat& s, int digits) {
    if (s.n == 0) return "—";
    std::string t = roundedNumber(s.mean, digits);
    if (s.n > 1) t += " ± " + roundedNumber(s.sd, 2);
    return t;
}

void printTable(const std::vector<std::vector<std::string>>& rows) {
    std::vector<int> width; // in characters (UTF-8 aware), as pad() counts them
    for (const auto& r : rows)
        for (std::size_t c = 0; c < r.size(); ++c) {
            if (width.size() <= c) width.push_back(0);
            int chars = 0;
            for (const unsigned char ch : r[c]) chars += (ch & 0xC0) != 0x80;
            width[c] = std::max(width[c], chars);
        }
    for (const auto& r : rows) {
        std::string line;
        for (std::size_t c = 0; c < r.size(); ++c) {
            if (c) line += "  ";
            line += pad(r[c], c == 0 ? -width[c] : width[c]);
        }
        std::printf("%s\n", line.c_str());
    }
}

void printSummary(const SweepSummary& s) {
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> head = s.groupAxisNames;
    for (const char* h : {"done", "div", "val loss", "max logit", "min H", "mean H", "events"})
        head.push_back(h);
    rows.push_back(head);
    for (const GroupResult& g : s.groups) {
        std::vector<std::string> r = g.labels;
        r.push_back(std::to_string(g.complete) + "/" + std::to_string(g.cells));
        r.push_back(std::to_string(g.diverged));
        r.push_back(statText(g.finalValLoss, 4));
        r.push_back(statText(g.maxLogit, 3));
        r.push_back(statText(g.minEntropy, 3));
        r.push_back(statText(g.meanEntropy, 3));
        r.push_back(statText(g.events, 2));
        rows.push_back(r);
    }
    std::printf(
        "\nper cell, mean ± sd over seeds (final val loss; final snapshot's max logit q·k/√D and head "
        "entropy in nats):\n");
    printTable(rows);
    if (s.sensitivity.empty()) return;
    rows.clear();
    head = s.variantAxisNames;
    for (const char* h : {"LR sensitivity", "best LR", "best val loss", "diverged"}) head.push_back(h);
    rows.push_back(head);
    for (const LrSensitivity& l : s.sensitivity) {
        std::vector<std::string> r = l.labels;
        r.push_back(statText(l.sensitivity, 3));
        r.push_back(roundedNumber(l.bestLr, 3));
        r.push_back(roundedNumber(l.bestLoss, 4));
        r.push_back(std::to_string(l.diverged));
        rows.push_back(r);
    }
    std::printf(
        "\nLR sensitivity (Wortsman et al. 2023: mean over the LR grid of min(loss, loss at init) − best "
        "loss; mean ± sd over seeds):\n");
    printTable(rows);
}

void writeFile(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) throw Error("Cannot write " + path + ".");
}

SweepSummary writeSummary(const SweepSpec& spec, const std::string& folder, bool print) {
    const SweepSummary summary = summarizeSweep(spec, folder);
    writeFile((fs::path(folder) / "summary_cells.csv").string(), cellsCsv(summary));
    writeFile((fs::path(folder) / "summary_groups.csv").string(), groupsCsv(summary));
    if (!summary.sensitivity.empty())
        writeFile((fs::path(folder) / "lr_sensitivity.csv").string(), sensitivityCsv(summary));
    if (print) printSummary(summary);
    std::printf("\nsummary written to %s/summary_{cells,groups}.csv%s\n", folder.c_str(),
                summary.sensitivity.empty() ? "" : " and lr_sensitivity.csv");
    return summary;
}

std::string progressLine(const SweepProgress& p) {
    char buf[160];
    const double pct = p.stepsTotal > 0 ? 100.0 * double(p.stepsDone) / double(p.stepsTotal) : 0;
    std::snprintf(buf, sizeof buf, "sweep: %d/%d cells done, %d running%s  steps %lld/%lld (%.0f%%)  ETA %s",
                  p.done, p.total, p.running,
                  p.failed ? (", " + std::to_string(p.failed) + " failed").c_str() : "", p.stepsDone,
                  p.stepsTotal, pct, humanDuration(p.etaSec).c_str());
    return buf;
}

int runSweep(const Args& args) {
    if (args.has("list")) {
        for (const SweepPreset& p : sweepPresets())
            std::printf("%-22s %zu cells  %s\n", p.id.c_str(), p.spec.cellCount(), p.description.c_str());
        return 0;
    }
    if (auto folder = args.text("summary")) {
        if (args.given().size() > 1)
            throw UsageError("--summary reads an existing sweep folder; it takes no other option");
        writeSummary(readSweepManifest(*folder), *folder, true);
        return 0;
    }
    const SweepSpec spec = specFromArgs(args);
    const std::string folder = args.text("out", "sweeps/" + fileNameFor(spec.name));
    SweepOptions options;
    options.parallel = args.integer("parallel", 1, 256).value_or(2);
    options.threadsPerCell = args.integer("threads", 1, 4096).value_or(1);
    // Before the header line below, so that a wrong --out (a file, a device) is the one line printed.
    if (std::error_code ec; std::filesystem::exists(folder, ec) && !std::filesystem::is_directory(folder, ec))
        throw Error("Cannot use " + folder + " as the sweep folder: it exists and is not a folder.");
    SweepRunner runner(spec, folder, options); // expands and validates every cell
    if (args.has("dry-run")) {
        for (const SweepCell& c : runner.cells()) std::printf("%s\n", c.id.c_str());
        std::printf("%zu cells, valid → %s\n", runner.cells().size(), folder.c_str());
        return 0;
    }
    const bool quiet = args.has("quiet"), tty = isatty(STDERR_FILENO) == 1;
    std::fprintf(stderr, "sweep %s: %zu cells, %d at a time × %d thread(s) → %s\n", spec.name.c_str(),
                 runner.cells().size(), options.parallel, options.threadsPerCell, folder.c_str());

    InterruptGuard interrupts;
    std::vector<CellState> seen(runner.cells().size(), CellState::Pending);
    double lastPlain = -1e9;
    bool drawn = false, stopAnnounced = false;
    const auto start = std::chrono::steady_clock::now();
    runner.setProgressCallback([&](const SweepProgress& p) {
        if (interruptCount() > 0 && !stopAnnounced) {
            runner.cancel();
            stopAnnounced = true;
            if (drawn) std::fprintf(stderr, "\n"), drawn = false;
            std::fprintf(
                stderr,
                "stopping the running cells after their current step (Ctrl-C again to quit at once)…\n");
        }
        if (quiet) return;
        for (std::size_t i = 0; i < p.cells.size(); ++i) {
            const CellStatus& c = p.cells[i];
            if (c.state == seen[i]) continue;
            seen[i] = c.state;
            std::string note;
            if (c.state == CellState::Running && c.resumed)
                note = " (resuming from step " + std::to_string(c.resumedFrom) + ")";
            if (c.state == CellState::Running && !c.resumed && !c.message.empty())
                note = " (restarted: " + c.message + ")";
            if (c.state == CellState::Finished || c.state == CellState::Diverged ||
                c.state == CellState::Stopped)
                note = " at step " + std::to_string(c.step);
            if (c.state == CellState::Failed) note = ": " + c.message;
            if (c.state == CellState::Pending) continue;
            if (drawn) std::fprintf(stderr, "\r\033[K"), drawn = false;
            std::fprintf(stderr, "  %s %s%s\n", runner.cells()[i].id.c_str(), toString(c.state),
                         note.c_str());
        }
        const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (tty) {
            std::fprintf(stderr, "\r%s\033[K", progressLine(p).c_str());
            drawn = true;
        } else if (t - lastPlain >= 10) {
            std::fprintf(stderr, "%s\n", progressLine(p).c_str());
            lastPlain = t;
        }
        std::fflush(stderr);
    });
    // The runner polls its own cancel flag; Ctrl-C reaches it through the callback, called at least every
    // half second.
    const SweepProgress final = runner.run();
    if (drawn) std::fprintf(stderr, "\r\033[K");
    if (!quiet) std::fprintf(stderr, "%s\n", progressLine(final).c_str());
    std::fflush(stderr);
    if (final.cancelled && !final.finished()) {
        std::printf("stopped: %d of %d cells done; run the same command again to resume.\n", final.done,
                    final.total);
        return 0;
    }
    writeSummary(spec, folder, true);
    if (final.failed > 0) {
        std::string which;
        for (std::size_t i = 0; i < final.cells.size(); ++i)
            if (final.cells[i].state == CellState::Failed) {
                which = runner.cells()[i].id + ": " + final.cells[i].message;
                break;
            }
        throw Error(std::to_string(final.failed) + " of " + std::to_string(final.total) +
                    " cells failed (first: " + which +
                    "); the others are complete — fix the cause and run the same command again.");
    }
    return 0;
}

} // namespace

const Command& sweepCommand() {
    static const Command command{
        {"sweep",
         "train a grid of runs (LR × variants × seeds …) into one folder, resumably, and summarise it",
         "attnscope-cli sweep (--preset ID | --spec FILE.json | --grid FIELD=V1,V2;…) [--out DIR] [options]",
         "Expands a grid over RunSpec fields (a sweep preset, a sweep JSON file, or --grid on a base "
         "preset),\n"
         "then trains every cell as a normal run file <DIR>/<cell>.attnrun, --parallel at a time with "
         "--threads\n"
         "OpenMP threads each, beside <DIR>/sweep.json (the sweep and its cells). Progress for the whole "
         "grid\n"
         "goes to stderr. At the end it prints the summary (per cell and mean ± sd over seeds; LR "
         "sensitivity\n"
         "per variant when the grid has a train.lr axis) and writes it as CSV into DIR. Ctrl-C stops the\n"
         "running cells after their current step with a final checkpoint; running the same command again\n"
         "skips finished cells and resumes the others (also after a crash or kill -9). docs/cli.md has the\n"
         "sweep JSON format.",
         0,
         0,
         {{"preset", "ID", "a named sweep (--list shows them)"},
          {"spec", "FILE", "a sweep JSON file (name, base_preset, base, axes)"},
          {"grid", "AXES",
           "axes as FIELD=V1,V2,… separated by ';', e.g. \"train.lr=1e-3,1e-2;train.seed=1,2,3\""},
          {"base-preset", "ID", "with --grid: the run preset every cell starts from"},
          {"set", "FIELDS", "overrides on every cell, e.g. \"train.steps=100;train.probe_length=32\""},
          {"name", "NAME", "sweep name (cells are named NAME/<cell>)"},
          {"out", "DIR", "folder for the runs, manifest and summary (default sweeps/<name>)"},
          {"parallel", "N", "cells training at once (default 2)"},
          {"threads", "N", "OpenMP threads per cell (default 1)"},
          {"summary", "DIR", "only summarise an existing sweep folder (no training)"},
          {"list", "", "list the sweep presets"},
          {"dry-run", "", "list the cells and check them, without training"},
          {"quiet", "", "no per-cell lines or progress (the summary is still printed)"}},
         "  attnscope-cli sweep --preset lr-sensitivity --out sweeps/lr\n"
         "  attnscope-cli sweep --base-preset baseline --grid \"train.lr=1e-3,3e-3;train.seed=1,2\" --set "
         "train.steps=200\n"
         "  attnscope-cli sweep --summary sweeps/lr\n"},
        runSweep};
    return command;
}

} // namespace attnscope::cli
