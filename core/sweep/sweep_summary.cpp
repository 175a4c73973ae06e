#include "core/sweep/sweep_summary.h"

#include "core/run/run_summary.h"
#include "core/store/csv_writer.h"
#include "core/store/run_reader.h"
#include "core/util/error.h"
#include "core/util/number_text.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>

namespace attnscope {

namespace {

std::vector<std::string> without(const std::vector<std::string>& v, int a, int b = -1) {
    std::vector<std::string> out;
    for (int i = 0; i < int(v.size()); ++i)
        if (i != a && i != b) out.push_back(v[std::size_t(i)]);
    return out;
}

// Index of `key` in `keys`, appended when new: groups keep the grid's order.
std::size_t slot(std::vector<std::vector<std::string>>& keys, const std::vector<std::string>& key) {
    const auto it = std::find(keys.begin(), keys.end(), key);
    if (it != keys.end()) return std::size_t(it - keys.begin());
    keys.push_back(key);
    return keys.size() - 1;
}

std::string row(const std::vector<std::string>& fields) {
    std::string s;
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (i) s += ',';
        s += csvField(fields[i]);
    }
    return s + "\n";
}

void addStat(std::vector<std::string>& out, const Stat& s) {
    out.push_back(exactNumber(s.mean));
    out.push_back(exactNumber(s.sd));
}

void statHeader(std::vector<std::string>& out, const std::string& name) {
    out.push_back(name + "_mean");
    out.push_back(name + "_sd");
}

} // namespace

Stat meanSd(const std::vector<double>& values) {
    Stat s;
    double sum = 0;
    for (double v : values)
        if (!std::isnan(v)) sum += v, ++s.n;
    if (s.n == 0) return s;
    s.mean = sum / s.n;
    if (s.n < 2) return s;
    double ss = 0;
    for (double v : values)
        if (!std::isnan(v)) ss += (v - s.mean) * (v - s.mean);
    s.sd = std::sqrt(ss / (s.n - 1));
    return s;
}

double lrSensitivity(const std::vector<double>& loss, const std::vector<double>& initLoss,
                     const std::vector<bool>& diverged) {
    if (loss.empty() || loss.size() != initLoss.size() || loss.size() != diverged.size()) return NAN;
    double best = INFINITY;
    for (std::size_t i = 0; i < loss.size(); ++i) {
        if (diverged[i]) continue;
        if (std::isnan(loss[i])) return NAN; // an unfinished point: no number rather than a wrong one
        best = std::min(best, loss[i]);
    }
    if (!std::isfinite(best)) return NAN; // every point diverged: ℓ* is undefined
    double sum = 0;
    for (std::size_t i = 0; i < loss.size(); ++i) {
        if (std::isnan(initLoss[i])) return NAN;
        sum += (diverged[i] ? initLoss[i] : std::min(loss[i], initLoss[i])) - best;
    }
    return sum / double(loss.size());
}

CellResult readCellResult(const std::string& runPath) {
    CellResult r;
    if (!std::filesystem::exists(runPath)) {
        r.status = "missing";
        return r;
    }
    RunReader reader(runPath);
    const StatusRecord status = reader.status();
    r.status = toString(status.status);
    try {
        r.steps = runSpecFromJson(nlohmann::json::parse(reader.header().specJson)).train.steps;
    } catch (const std::exception& e) {
        throw Error(runPath + ": its header's run settings do not parse (" + e.what() + ").");
    }
    const RunSummary summary = summarizeRunFile(reader);
    r.step = summary.lastStep;
    r.initLoss = summary.initLoss;
    r.finalLoss = summary.finalLoss;
    r.finalValLoss = summary.finalValLoss;
    r.diverged = status.status == RunStatus::Diverged;
    r.complete = r.diverged || (status.status == RunStatus::Finished && r.step >= r.steps);
    r.events = summary.detectorEvents;
    r.maxLogit = summary.finalMaxLogit;
    r.peakMaxLogit = summary.peakMaxLogit;
    r.minEntropy = summary.finalMinEntropy;
    r.meanEntropy = summary.finalMeanEntropy;
    return r;
}

SweepSummary summarize(const SweepSpec& spec, const std::vector<SweepCell>& cells,
                       std::vector<CellResult> results) {
    SweepSummary s;
    for (const SweepAxis& a : spec.axes) s.axisNames.push_back(a.name);
    s.seedAxis = spec.axisSetting("train.seed");
    s.lrAxis = spec.axisSetting("train.lr");
    s.groupAxisNames = without(s.axisNames, s.seedAxis);
    s.variantAxisNames = without(s.axisNames, s.lrAxis, s.seedAxis);
    for (std::size_t i = 0; i < results.size() && i < cells.size(); ++i) {
        results[i].id = cells[i].id;
        results[i].labels = cells[i].labels;
    }
    s.cells = std::move(results);

    // Groups: every axis but the seed.
    std::vector<std::vector<std::string>> keys;
    std::vector<std::vector<const CellResult*>> members;
    for (const CellResult& c : s.cells) {
        const std::size_t g = slot(keys, without(c.labels, s.seedAxis));
        if (members.size() <= g) members.resize(g + 1);
        members[g].push_back(&c);
    }
    for (std::size_t g = 0; g < keys.size(); ++g) {
        GroupResult out;
        out.labels = keys[g];
        std::vector<double> loss, val, logit, peak, minH, meanH, events;
        for (const CellResult* c : members[g]) {
            ++out.cells;
            if (!c->complete) continue;
            ++out.complete;
            out.diverged += c->diverged;
            loss.push_back(c->finalLoss), val.push_back(c->finalValLoss), logit.push_back(c->maxLogit);
            peak.push_back(c->peakMaxLogit), minH.push_back(c->minEntropy), meanH.push_back(c->meanEntropy);
            events.push_back(c->events);
        }
        out.finalLoss = meanSd(loss), out.finalValLoss = meanSd(val), out.maxLogit = meanSd(logit);
        out.peakMaxLogit = meanSd(peak), out.minEntropy = meanSd(minH), out.meanEntropy = meanSd(meanH);
        out.events = meanSd(events);
        s.groups.push_back(out);
    }

    if (s.lrAxis < 0) return s;
    // LR sensitivity: per variant and seed, over the LR grid; then over seeds.
    const SweepAxis& lrAxis = spec.axes[std::size_t(s.lrAxis)];
    const std::size_t nLr = lrAxis.values.size();
    const std::size_t nSeeds = s.seedAxis < 0 ? 1 : spec.axes[std::size_t(s.seedAxis)].values.size();
    std::vector<std::vector<std::string>> variants;
    struct Grid {
        std::vector<std::vector<double>> loss, init;
        std::vector<std::vector<bool>> diverged;
    };
    std::vector<Grid> grids;
    for (std::size_t i = 0; i < s.cells.size() && i < cells.size(); ++i) {
        const CellResult& c = s.cells[i];
        const std::size_t v = slot(variants, without(c.labels, s.lrAxis, s.seedAxis));
        if (grids.size() <= v)
            grids.push_back({std::vector(nSeeds, std::vector<double>(nLr, NAN)),
                             std::vector(nSeeds, std::vector<double>(nLr, NAN)),
                             std::vector(nSeeds, std::vector<bool>(nLr, false))});
        const std::size_t seed = s.seedAxis < 0 ? 0 : cells[i].point[std::size_t(s.seedAxis)];
        const std::size_t lr = cells[i].point[std::size_t(s.lrAxis)];
        if (!c.complete) continue; // stays NaN and not diverged: the seed's sensitivity is NaN
        grids[v].loss[seed][lr] = c.finalValLoss;
        grids[v].init[seed][lr] = c.initLoss;
        grids[v].diverged[seed][lr] = c.diverged || !std::isfinite(c.finalValLoss);
    }
    for (std::size_t v = 0; v < variants.size(); ++v) {
        LrSensitivity out;
        out.labels = variants[v];
        for (std::size_t seed = 0; seed < nSeeds; ++seed) {
            out.perSeed.push_back(
                lrSensitivity(grids[v].loss[seed], grids[v].init[seed], grids[v].diverged[seed]));
            for (std::size_t lr = 0; lr < nLr; ++lr) out.diverged += grids[v].diverged[seed][lr];
        }
        out.sensitivity = meanSd(out.perSeed);
        for (std::size_t lr = 0; lr < nLr; ++lr) {
            std::vector<double> losses;
            for (std::size_t seed = 0; seed < nSeeds; ++seed)
                if (!grids[v].diverged[seed][lr]) losses.push_back(grids[v].loss[seed][lr]);
            const Stat m = meanSd(losses);
            if (m.n > 0 && (std::isnan(out.bestLoss) || m.mean < out.bestLoss)) {
                out.bestLoss = m.mean;
                out.bestLr = lrAxis.values[lr].is_number() ? lrAxis.values[lr].get<double>() : NAN;
            }
        }
        s.sensitivity.push_back(out);
    }
    return s;
}

SweepSummary summarizeSweep(const SweepSpec& spec, const std::string& folder) {
    const std::vector<SweepCell> cells = expandGrid(spec);
    std::vector<CellResult> results;
    for (const SweepCell& c : cells)
        results.push_back(readCellResult((std::filesystem::path(folder) / (c.id + ".attnrun")).string()));
    return summarize(spec, cells, std::move(results));
}

std::string cellsCsv(const SweepSummary& s) {
    std::vector<std::string> h{"cell"};
    h.insert(h.end(), s.axisNames.begin(), s.axisNames.end());
    for (const char* c :
         {"status", "complete", "diverged", "step", "steps", "init_loss", "final_loss", "final_val_loss",
          "max_logit", "peak_max_logit", "min_entropy", "mean_entropy", "events"})
        h.push_back(c);
    std::string out = row(h);
    for (const CellResult& c : s.cells) {
        std::vector<std::string> r{c.id};
        r.insert(r.end(), c.labels.begin(), c.labels.end());
        for (const std::string& v :
             {c.status, std::string(c.complete ? "1" : "0"), std::string(c.diverged ? "1" : "0"),
              std::to_string(c.step), std::to_string(c.steps), exactNumber(c.initLoss),
              exactNumber(c.finalLoss), exactNumber(c.finalValLoss), exactNumber(c.maxLogit),
              exactNumber(c.peakMaxLogit), exactNumber(c.minEntropy), exactNumber(c.meanEntropy),
              std::to_string(c.events)})
            r.push_back(v);
        out += row(r);
    }
    return out;
}

std::string groupsCsv(const SweepSummary& s) {
    std::vector<std::string> h = s.groupAxisNames;
    for (const char* c : {"cells", "complete", "diverged"}) h.push_back(c);
    for (const char* c : {"final_loss", "final_val_loss", "max_logit", "peak_max_logit", "min_entropy",
                          "mean_entropy", "events"})
        statHeader(h, c);
    std::string out = row(h);
    for (const GroupResult& g : s.groups) {
        std::vector<std::string> r = g.labels;
        r.push_back(std::to_string(g.cells)), r.push_back(std::to_string(g.complete));
        r.push_back(std::to_string(g.diverged));
        for (const Stat* st : {&g.finalLoss, &g.finalValLoss, &g.maxLogit, &g.peakMaxLogit, &g.minEntropy,
                               &g.meanEntropy, &g.events})
            addStat(r, *st);
        out += row(r);
    }
    return out;
}

std::string sensitivityCsv(const SweepSummary& s) {
    std::vector<std::string> h = s.variantAxisNames;
    statHeader(h, "lr_sensitivity");
    for (const char* c : {"seeds", "best_lr", "best_val_loss", "diverged", "per_seed"}) h.push_back(c);
    std::string out = row(h);
    for (const LrSensitivity& l : s.sensitivity) {
        std::vector<std::string> r = l.labels;
        addStat(r, l.sensitivity);
        std::string perSeed;
        for (std::size_t i = 0; i < l.perSeed.size(); ++i) {
            if (i) perSeed += ' ';
            perSeed += exactNumber(l.perSeed[i]);
        }
        for (const std::string& v : {std::to_string(l.sensitivity.n), exactNumber(l.bestLr),
                                     exactNumber(l.bestLoss), std::to_string(l.diverged), perSeed})
            r.push_back(v);
        out += row(r);
    }
    return out;
}

} // namespace attnscope
