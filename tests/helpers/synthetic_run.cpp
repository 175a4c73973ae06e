#include "helpers/synthetic_run.h"

#include "core/data/tokenizer.h"
#include "core/store/run_writer.h"
#include "core/train/run_spec.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

namespace attnscope::test {

ProbeSnapshot syntheticSnapshot(int step, int layers, int heads, int length, double sharpness) {
    ProbeSnapshot s;
    s.step = step;
    s.layers = layers, s.heads = heads, s.length = length;
    for (int t = 0; t < length; ++t) s.tokens.push_back(72 + t);
    const std::size_t count = std::size_t(layers) * heads;
    const std::size_t T = std::size_t(length);
    for (auto* v : {&s.entropy, &s.normEntropy, &s.maxLogit, &s.meanRowMax, &s.sinkScore, &s.meanDistance,
                    &s.sigmaQK, &s.sigmaQ, &s.sigmaK, &s.entropyBound})
        v->assign(count, 0.f);
    s.keyProfile.assign(count * T, 0.f);
    // Value and residual norms with the extreme-token shape: key 0's value drains as the step grows, the
    // residual stream entering layer 0 peaks at position 0.
    for (std::size_t h = 0; h < count; ++h)
        for (std::size_t j = 0; j < T; ++j)
            s.valueNorm.push_back(j == 0 ? 2.0f / (1.0f + 0.1f * float(step)) : 2.0f + 0.01f * float(h + j));
    for (int l = 0; l <= layers; ++l)
        for (std::size_t j = 0; j < T; ++j)
            s.residualNorm.push_back(1.0f + float(l) + (l == 0 && j == 0 ? 0.05f * float(step) : 0.0f));
    s.attention.assign(count * T * T, 0.f);
    s.logits.assign(count * T * T, NAN);
    for (std::size_t h = 0; h < count; ++h) {
        s.entropy[h] = 2.0f - 0.02f * step - 0.1f * float(h);
        s.maxLogit[h] = 1.0f + 0.05f * step * float(h + 1);
        s.sinkScore[h] = std::min(1.0f, 0.01f * step * float(h + 1) / 3);
        for (int i = 0; i < length; ++i) {
            double sum = 0;
            std::vector<double> w(std::size_t(i) + 1);
            for (int j = 0; j <= i; ++j)
                sum += w[std::size_t(j)] = std::exp(-sharpness * step * std::abs(i - j - int(h % 3)));
            for (int j = 0; j <= i; ++j) {
                const std::size_t cell = (h * T + std::size_t(i)) * T + std::size_t(j);
                s.attention[cell] = float(w[std::size_t(j)] / sum);
                s.logits[cell] = float(std::log(w[std::size_t(j)])); // visible keys; NaN = masked
            }
        }
    }
    return s;
}

QString writeSyntheticRun(const QString& dir, const SyntheticRun& run) {
    const QString path = dir + QLatin1Char('/') + run.name + QStringLiteral(".attnrun");
    RunHeader header;
    RunSpec spec;
    spec.name = run.name.toStdString();
    spec.model.layers = run.layers; // the spec describes the model the snapshots come from
    spec.model.heads = run.heads;
    spec.model.dModel = 32 * run.heads; // a valid spec: readers check that the width splits into the heads
    spec.train.steps = run.steps;
    header.specJson = toJson(spec).dump();
    header.corpusName = "unit";
    header.tokenizerJson = Tokenizer::fromText("abcdefghijklmnopqrstuvwxyzHIJKLMNOPQRSTUVWXYZ").toJson();
    header.description = "synthetic run for the GUI tests";
    RunWriter w = RunWriter::create(path.toStdString(), header);
    w.setStatus(RunStatus::Training, 0);
    std::vector<StepRecord> steps;
    for (int s = 1; s <= run.steps; ++s) {
        StepRecord r;
        r.step = s;
        r.loss = 4.0 - 0.03 * s;
        r.valLoss = s % 20 == 0 ? r.loss + 0.1 : kNotEvaluated;
        steps.push_back(r);
    }
    w.appendSteps(steps);
    for (int s : run.snapshotSteps)
        w.appendSnapshot(syntheticSnapshot(s, run.layers, run.heads, run.length, run.sharpness));
    w.appendEvent({35, EventKind::EntropyCollapse, "layer 0 head 1 entropy collapse"});
    if (run.finish) w.setStatus(RunStatus::Finished, run.steps);
    return path;
}

} // namespace attnscope::test
