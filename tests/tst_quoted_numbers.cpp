// Every number the lessons, the README and the docs quote about a shipped sample run or sweep summary is
// recomputed here from that file with the core readers (core/run/run_quantities.h, core/sweep), formatted at
// the precision the text states, and must appear in the text: re-recording a sample run that moves a quoted
// number fails this test until the text says the new number.
#include "core/probe/snapshot.h"
#include "core/run/recorded_run.h"
#include "core/run/run_quantities.h"
#include "core/store/run_reader.h"
#include "core/sweep/cells_csv_reader.h"
#include "core/sweep/sweep_runner.h"
#include "core/sweep/sweep_spec.h"
#include "core/sweep/sweep_summary.h"
#include "helpers/test_paths.h"

#include <QtTest>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

using namespace attnscope;

namespace {

std::string readText(const std::string& relative) {
    std::ifstream in(test::sourceDir() + "/" + relative);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

const RecordedRun& sample(const std::string& name) {
    static std::map<std::string, RecordedRun> cache;
    auto it = cache.find(name);
    if (it == cache.end()) {
        RunReader reader(test::sourceDir() + "/sample_runs/" + name + ".attnrun");
        it = cache.emplace(name, RecordedRun::load(reader)).first;
    }
    return it->second;
}

const ProbeSnapshot& at(const std::string& run, int step) {
    const SnapshotPtr s = sample(run).snapshotAt(step);
    if (!s || s->step != step) qFatal("%s has no snapshot at step %d", run.c_str(), step);
    return *s;
}

// `v` with `decimals` digits after the point.
std::string fixed(double v, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

// How the texts quote logits: whole numbers from 10, one decimal from 1, two significant digits below.
std::string logit(double v) {
    if (std::abs(v) < 1) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.2g", v);
        return buf;
    }
    return fixed(v, std::abs(v) < 10 ? 1 : 0);
}

// "a / b / c / d": the max logit of every layer at `step`.
std::string layerLogits(const std::string& run, int step) {
    const ProbeSnapshot& s = at(run, step);
    std::string out;
    for (int l = 0; l < s.layers; ++l) out += (l ? " / " : "") + logit(layerMaxLogit(s, l));
    return out;
}

int headsBelow(const ProbeSnapshot& s, double nats) {
    int n = 0;
    for (float e : s.entropy) n += e < nats;
    return n;
}

double maxGradNorm(const RecordedRun& r) {
    double m = 0;
    for (const StepRecord& step : r.steps) m = std::max(m, step.gradNorm);
    return m;
}

// Runs of white space (line breaks of the Markdown source included) as one space.
std::string collapsed(const std::string& text) {
    std::string out;
    for (const char c : text) {
        const bool space = c == ' ' || c == '\n' || c == '\t';
        if (!space)
            out += c;
        else if (!out.empty() && out.back() != ' ')
            out += ' ';
    }
    return out;
}

// Fails, quoting what the text should say, unless `file` contains `needle` (white space compared loosely).
void requireQuote(const std::string& file, const std::string& rawNeedle) {
    const std::string text = collapsed(readText(file)), needle = collapsed(rawNeedle);
    QVERIFY2(text.find(needle) != std::string::npos,
             qPrintable(QStringLiteral("%1 should quote \"%2\" (computed from the shipped runs)")
                            .arg(QString::fromStdString(file), QString::fromStdString(needle))));
}

// Fails unless the line of `file` starting with `linePrefix` contains `needle`.
void requireLine(const std::string& file, const std::string& linePrefix, const std::string& needle) {
    std::istringstream lines(readText(file));
    for (std::string line; std::getline(lines, line);)
        if (line.rfind(linePrefix, 0) == 0) {
            QVERIFY2(line.find(needle) != std::string::npos,
                     qPrintable(QString::fromStdString(file + ": the line of " + linePrefix +
                                                       " should say \"" + needle + "\"")));
            return;
        }
    QFAIL(qPrintable(QString::fromStdString(file + " has no line starting " + linePrefix)));
}

// The shipped sweep summary in sample_runs/sweeps/<name>, aggregated as the Sweeps page does.
SweepSummary sweep(const std::string& name) {
    const std::string folder = test::sourceDir() + "/sample_runs/sweeps/" + name;
    const SweepSpec spec = readSweepManifest(folder);
    const std::vector<SweepCell> cells = expandGrid(spec);
    const std::map<std::string, CellResult> csv = readCellsCsv(folder + "/summary_cells.csv");
    std::vector<CellResult> results;
    for (const SweepCell& c : cells) results.push_back(csv.at(c.id));
    return summarize(spec, cells, results);
}

const GroupResult& group(const SweepSummary& s, const std::vector<std::string>& labels) {
    for (const GroupResult& g : s.groups)
        if (g.labels == labels) return g;
    qFatal("no sweep group %s", labels.front().c_str());
}

const LrSensitivity& sensitivity(const SweepSummary& s, const std::string& variant) {
    for (const LrSensitivity& v : s.sensitivity)
        if (v.labels == std::vector<std::string>{variant}) return v;
    qFatal("no variant %s", variant.c_str());
}

// The head of `layer` holding the layer's largest content logit.
int argmaxHead(const ProbeSnapshot& s, int layer) {
    int best = 0;
    for (int h = 1; h < s.heads; ++h)
        if (s.maxLogit[s.headIndex(layer, h)] > s.maxLogit[s.headIndex(layer, best)]) best = h;
    return best;
}

} // namespace

class TestQuotedNumbers : public QObject {
    Q_OBJECT
private slots:
    void logitGrowthLesson() {
        const std::string md = "resources/lessons/logit_growth.md";
        const ProbeSnapshot& base = at("logit-growth-baseline", 600);
        const ProbeSnapshot& ls = at("logit-growth-ls", 600);
        const auto row = [](const ProbeSnapshot& s, const std::string& last) {
            return logit(layerMaxLogit(s, 0)) + " / " + logit(layerMaxLogit(s, 1)) + " / " +
                   logit(layerMaxLogit(s, 2)) + " / " + last;
        };
        const double baseLoss = valLossAt(sample("logit-growth-baseline"));
        const double lsLoss = valLossAt(sample("logit-growth-ls"));
        requireQuote(md, "| full heads | " + row(base, logit(layerMaxLogit(base, 3))) + " | " +
                             fixed(baseLoss, 3) + " |");
        requireQuote(md, "| LS (3 local + 1 global) | " + row(ls, "**" + logit(layerMaxLogit(ls, 3)) + "**") +
                             " | **" + fixed(lsLoss, 3) + "** |");
        double baseTop = 0, lsTop = 0;
        for (int l = 0; l < 4; ++l) {
            baseTop = std::max(baseTop, layerMaxLogit(base, l));
            lsTop = std::max(lsTop, layerMaxLogit(ls, l));
        }
        requireQuote(md, "about **" + fixed(lsTop / baseTop, 1) + "× higher**");
        requireQuote(md, "(−" + fixed(baseLoss - lsLoss, 2) + " nats)");
        // "in its local heads (layers 2 and 3, not the global head 3)": heads 0–2 are LS's local ones.
        QVERIFY(argmaxHead(ls, 2) < 3 && argmaxHead(ls, 3) < 3);
        // "Neither run diverges."
        QCOMPARE(eventCount(sample("logit-growth-baseline"), EventKind::NonFinite), 0);
        QCOMPARE(eventCount(sample("logit-growth-ls"), EventKind::NonFinite), 0);
    }

    void entropyCollapseLesson() {
        const std::string md = "resources/lessons/entropy_collapse.md";
        const RecordedRun& base = sample("entropy-collapse-baseline");
        const RecordedRun& sigma = sample("entropy-collapse-sigma-reparam");
        const ProbeSnapshot& base600 = at("entropy-collapse-baseline", 600);
        const ProbeSnapshot& sigma600 = at("entropy-collapse-sigma-reparam", 600);
        // The collapsing head and its event.
        requireQuote(md, "one head falls to " + fixed(minHeadEntropy(base600, 2), 2) + " nats by step 600");
        int collapses = 0, collapseStep = 0;
        for (const Event& e : base.events)
            if (e.kind == EventKind::EntropyCollapse) ++collapses, collapseStep = e.step;
        QCOMPARE(collapses, 1);
        requireQuote(md, "a flag at step " + std::to_string(collapseStep));
        requireQuote(md, "(one head at " + fixed(minHeadEntropy(base600), 2) + " nats, one collapse event)");
        // σReparam: every head, every snapshot, above the quoted floor; its max logit below 7.
        double sigmaMinEntropy = 1e9, sigmaMaxLogit = 0;
        for (const SnapshotPtr& s : sigma.snapshots) {
            sigmaMinEntropy = std::min(sigmaMinEntropy, minHeadEntropy(*s));
            for (int l = 0; l < s->layers; ++l) sigmaMaxLogit = std::max(sigmaMaxLogit, layerMaxLogit(*s, l));
        }
        QCOMPARE(fixed(std::floor(sigmaMinEntropy * 10) / 10, 1), std::string("1.6"));
        requireQuote(md, "stay above 1.6 nats");
        QVERIFY(sigmaMaxLogit < 7);
        requireQuote(md, "σReparam's stays below 7 in every layer");
        // The bound: zero in the baseline and in σReparam's layers 0–2, up only in its uniform layer 3.
        for (int l = 0; l < 4; ++l) QCOMPARE(fixed(maxCausalBound(base600, l), 2), std::string("0.00"));
        for (int l = 0; l < 3; ++l) QCOMPARE(fixed(maxCausalBound(sigma600, l), 2), std::string("0.00"));
        requireQuote(md, "(up to " + fixed(maxCausalBound(sigma600, 3), 2) + " nats at step 600");
        requireQuote(md, "mean entropy of " + fixed(meanHeadEntropy(sigma600, 3, 3), 2) + ")");
        requireQuote(md, "(max logit " + fixed(layerMaxLogit(sigma600, 3), 2) + ")");
        requireQuote(md, "that is " + fixed(meanCausalBound(sigma600), 2) +
                             " nats against a mean entropy of " + fixed(meanHeadEntropy(sigma600), 2));
        requireQuote(md, "layer-2 max logit climbs " +
                             fixed(layerMaxLogit(at("entropy-collapse-baseline", 100), 2), 0) + " → " +
                             fixed(layerMaxLogit(at("entropy-collapse-baseline", 300), 2), 0) + " → " +
                             fixed(layerMaxLogit(base600, 2), 0) + " (steps 100, 300, 600)");
        requireQuote(md,
                     "lower loss (" + fixed(valLossAt(sigma), 3) + " vs " + fixed(valLossAt(base), 3) + ")");
        // A uniform head over the 32-token probe (step 0).
        requireQuote(md, "a uniform head averages ≈ " + fixed(meanHeadEntropy(*base.snapshots.front()), 2) +
                             " nats over 32 tokens");
    }

    void extrapolationLesson() {
        const std::string md = "resources/lessons/extrapolation.md";
        for (const auto& [run, label] :
             {std::pair{"extrap-alibi", "ALiBi"}, {"extrap-sinusoidal", "sinusoidal"}}) {
            const RecordedRun& r = sample(run);
            std::string row = std::string("| ") + label + " |";
            for (int length : {64, 96, 128, 256, 512}) {
                const std::string v = fixed(evalLossAt(r, length), 3);
                row += " " + (length == 512 && std::string(label) == "ALiBi" ? "**" + v + "**" : v) + " |";
            }
            requireQuote(md, row);
        }
    }

    void valueResidualLesson() {
        const std::string md = "resources/lessons/value_residual.md";
        const RecordedRun& vanilla = sample("value-residual-vanilla");
        const RecordedRun& res = sample("value-residual-resformer");
        requireQuote(md, "ResFormer ends " + fixed(valLossAt(vanilla) - valLossAt(res), 3) +
                             " nats lower in the shipped pair (" + fixed(valLossAt(res), 3) + " vs " +
                             fixed(valLossAt(vanilla), 3) + ")");
        requireQuote(md, "(+" + fixed(valLossAt(res, 400) - valLossAt(vanilla, 400), 3) + " at step 400)");
        const SweepSummary s = sweep("value-residual-seeds");
        std::vector<double> diffs;
        for (int seed = 1; seed <= 3; ++seed) {
            double v = 0, r = 0;
            for (const CellResult& c : s.cells) {
                if (c.id == "vanilla_seed" + std::to_string(seed)) v = c.finalValLoss;
                if (c.id == "resformer_seed" + std::to_string(seed)) r = c.finalValLoss;
            }
            diffs.push_back(r - v);
        }
        const Stat d = meanSd(diffs);
        requireQuote(md, "ResFormer − vanilla = +" + fixed(d.mean, 3) + " ± " + fixed(d.sd, 3) + " nats");
        requireQuote(md, "(sd " + fixed(group(s, {"vanilla"}).finalValLoss.sd, 3) + " for vanilla, " +
                             fixed(group(s, {"resformer"}).finalValLoss.sd, 3) + " for ResFormer)");
    }

    void sinksLesson() {
        const std::string md = "resources/lessons/sinks.md";
        const auto sink = [](int step) {
            return fixed(meanSinkScore(at("sinks-bigram-backcopy", step), 0), 2);
        };
        requireQuote(md, "first-token attention " + sink(250) + " at step 250, " + sink(1000) +
                             " at 1000 and " + sink(2000) + " at 2000 (" +
                             fixed(meanSinkNonTrigger(at("sinks-bigram-backcopy", 2000), 0), 3) +
                             " over non-trigger queries)");
        double relu = 0;
        for (const SnapshotPtr& s : sample("sinks-bigram-backcopy-relu").snapshots)
            if (s->step > 0) relu = std::max(relu, meanSinkScore(*s, 0));
        requireQuote(md, "the ReLU run stays at or below " + fixed(relu, 2) + ";");
        const ProbeSnapshot& end = at("sinks-bigram-backcopy", 2000);
        const ProbeSnapshot& start = at("sinks-bigram-backcopy", 0);
        requireQuote(md, "At step 2000 `<bos>`'s value norm is " + fixed(valueNormAt(end, 0, 0, 0), 2) +
                             " against a median of " + fixed(medianValueNormExcept(end, 0, 0, 0), 1) +
                             " at the other positions (" + fixed(valueNormAt(start, 0, 0, 0), 2) + " vs " +
                             fixed(medianValueNormExcept(start, 0, 0, 0), 2) + " at step 0)");
        requireQuote(md, "(its embedding) is " + fixed(residualNormAt(end, 0, 0), 1) + " against " +
                             fixed(medianResidualNormExcept(end, 0, 0), 1) + " (" +
                             fixed(residualNormAt(start, 0, 0), 2) + " vs " +
                             fixed(medianResidualNormExcept(start, 0, 0), 2) + " at step 0)");
        requireQuote(md, "at `<bos>` (" + fixed(residualNormAt(end, 1, 0), 0) + " vs a median of " +
                             fixed(medianResidualNormExcept(end, 1, 0), 0) + ")");
    }

    void stabilisersLesson() {
        const std::string md = "resources/lessons/stabilisers.md";
        const SweepSummary s = sweep("lr-sensitivity");
        for (const char* v : {"sigma-reparam", "qk-norm", "baseline", "z-loss", "ls-attention"}) {
            const LrSensitivity& r = sensitivity(s, v);
            QCOMPARE(fixed(r.bestLr, 5), std::string("0.00316")); // "every variant is best at LR 3.16e-3"
            requireQuote(md, fixed(r.sensitivity.mean, 3) + " ± " + fixed(r.sensitivity.sd, 3));
        }
        const auto loss = [&](const char* v, const char* lr) { return group(s, {v, lr}).finalValLoss.mean; };
        const auto logitMean = [&](const char* v, const char* lr) { return group(s, {v, lr}).maxLogit.mean; };
        for (const char* v : {"baseline", "ls-attention", "z-loss"})
            QCOMPARE(fixed(loss(v, "0.1"), 1), std::string("3.3"));
        requireQuote(md, "QK-norm less (" + fixed(loss("qk-norm", "0.1"), 2) + "), σReparam hardly (" +
                             fixed(loss("sigma-reparam", "0.1"), 2) + ")");
        QVERIFY(logitMean("baseline", "0.01") > 100 && logitMean("baseline", "0.1") > 3000);
        for (const char* lr : {"0.001", "0.00316", "0.01", "0.0316", "0.1"}) {
            QVERIFY(logitMean("qk-norm", lr) > 3.5 && logitMean("qk-norm", lr) < 13.5);
            QVERIFY(logitMean("sigma-reparam", lr) < 1);
        }
    }

    // docs/experiments.md §2 and §3: the tables of the logit-growth and entropy-collapse pairs.
    void experimentsDoc() {
        const std::string md = "docs/experiments.md";
        const auto row = [&](const std::string& run, bool gradNorm) {
            const ProbeSnapshot& end = at(run, 600);
            const RecordedRun& r = sample(run);
            std::string text = " | " + layerLogits(run, 100) + " | " + layerLogits(run, 300) + " | " +
                               layerLogits(run, 600) + " | " + fixed(meanHeadEntropy(end), 2) + " / " +
                               fixed(minHeadEntropy(end), 3) + " | " + std::to_string(headsBelow(end, 0.1)) +
                               " / " + std::to_string(end.layers * end.heads) + " | ";
            if (gradNorm) text += fixed(maxGradNorm(r), 1) + " | ";
            return text + fixed(valLossAt(r), 3) + " |";
        };
        requireLine(md, "| baseline (full MHSA) |", row("logit-growth-baseline", false));
        requireLine(md, "| LS (3 local w=16 + 1 global) |", row("logit-growth-ls", false));
        requireLine(md, "| baseline, LR 3e-2 |", row("entropy-collapse-baseline", true));
        requireLine(md, "| σReparam, LR 3e-2 |", row("entropy-collapse-sigma-reparam", true));
    }

    void sampleRunsReadme() {
        const std::string md = "sample_runs/README.md";
        for (const char* run : {"entropy-collapse-baseline", "entropy-collapse-sigma-reparam", "extrap-alibi",
                                "extrap-sinusoidal", "logit-growth-baseline", "logit-growth-ls",
                                "value-residual-resformer", "value-residual-vanilla", "induction"}) {
            const RecordedRun& r = sample(run);
            std::string events;
            for (const EventKind k : {EventKind::EntropyCollapse, EventKind::LogitExplosion,
                                      EventKind::PhaseChange, EventKind::RoleChange}) {
                const int n = eventCount(r, k);
                if (n)
                    events +=
                        (events.empty() ? "" : ", ") + std::string(toString(k)) + " " + std::to_string(n);
            }
            requireLine(md, std::string("| `") + run + ".attnrun` |",
                        " | " + fixed(valLossAt(r), 3) + " | " + (events.empty() ? "—" : events) + " |");
        }
    }
};

QTEST_APPLESS_MAIN(TestQuotedNumbers)
#include "tst_quoted_numbers.moc"
