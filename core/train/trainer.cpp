#include "core/train/trainer.h"

#include "core/data/induction_probe.h"
#include "core/data/token_source.h"
#include "core/model/model.h"
#include "core/optim/optimizer.h"
#include "core/optim/schedule.h"
#include "core/probe/head_roles.h"
#include "core/probe/probe.h"
#include "core/train/checkpoint.h"
#include "core/train/event_detector.h"
#include "core/util/error.h"

#include <chrono>
#include <cmath>
#include <limits>
#include <omp.h>
#include <thread>
#include <utility>

namespace attnscope {

struct TrainerState {
    std::unique_ptr<TokenSource> data;
    std::unique_ptr<Model<float>> model;
    std::unique_ptr<Workspace<float>> train, probe, inductionWorkspace;
    InductionProbe induction; // tokens empty when the run records none
    std::unique_ptr<Optimizer> optimizer;
    Rng dataRng;
    std::vector<std::int32_t> inputs, targets, probeTokens, probeTargets;
    EventDetector events;
    double elapsed = 0;

    TrainingState view(int step) { return {model.get(), optimizer.get(), &dataRng, step}; }
};

namespace {
using Clock = std::chrono::steady_clock;
double seconds(Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double>(b - a).count();
}

// Threads asked for → threads used: n < 1 means every core.
int resolveThreads(int n) {
    return n > 0 ? n : std::max(1, omp_get_num_procs());
}

// Validation batches are the same fixed set at every evaluation, so val-loss curves are comparable.
constexpr std::uint64_t kValidationStream = 0x5eed'0000'0000'0001ULL;

// Sums of the cross-entropy −ln p(target) (from the last forward's logits and log Z) and counts per loss
// part the data names (TokenSource::lossParts), over the B sequences of `inputs`. Serial and in a fixed
// order, so the values are identical on any thread count.
struct PartSums {
    std::vector<double> sum;
    std::vector<long> count;
    void add(const TokenSource& data, const Workspace<float>& ws, const std::int32_t* inputs) {
        const std::size_t V = std::size_t(data.tokenizer().vocabSize());
        sum.resize(data.lossParts().size(), 0.0);
        count.resize(sum.size(), 0);
        for (int b = 0; b < ws.B; ++b)
            for (int i = 0; i < ws.Tlen; ++i) {
                const std::size_t r = std::size_t(b) * ws.Tlen + i;
                const int part = data.lossPart(inputs + std::size_t(b) * ws.Tlen, i);
                if (part < 0 || ws.targets[r] < 0) continue;
                sum[std::size_t(part)] +=
                    double(ws.logZ[r]) - double(ws.logits[r * V + std::size_t(ws.targets[r])]);
                ++count[std::size_t(part)];
            }
    }
    // Appends the mean of every part with at least one target as (prefix + name, mean).
    void publish(const TokenSource& data, const std::string& prefix,
                 std::vector<std::pair<std::string, double>>& out) const {
        const auto names = data.lossParts();
        for (std::size_t p = 0; p < sum.size(); ++p)
            if (count[p] > 0) out.emplace_back(prefix + names[p], sum[p] / double(count[p]));
    }
};
} // namespace

Trainer::Trainer(const RunSpec& spec)
    : m_spec(spec), m_state(std::make_unique<TrainerState>()), m_threads(resolveThreads(spec.train.threads)) {
    auto& s = *m_state;
    s.data = makeTokenSource(m_spec.data, m_spec.model.context);
    m_spec.model.vocab = s.data->tokenizer().vocabSize();
    const auto errors = m_spec.validate();
    if (!errors.empty()) {
        std::string message = "Invalid run configuration:";
        for (const auto& e : errors) message += "\n  " + e;
        throw Error(message);
    }
    const int T = m_spec.model.context;
    s.model = std::make_unique<Model<float>>(m_spec.model);
    Rng initRng(m_spec.train.seed);
    s.model->initialize(initRng);
    s.train = std::make_unique<Workspace<float>>(m_spec.model, m_spec.train.batch, T);
    const int probeLength = m_spec.train.probeLength > 0 ? m_spec.train.probeLength : T; // ≤ T (validate())
    s.data->probe(probeLength, s.probeTokens, s.probeTargets);
    // A custom probe text may be shorter than requested.
    s.probe = std::make_unique<Workspace<float>>(m_spec.model, 1, int(s.probeTokens.size()));
    const std::vector<std::int32_t> symbols = s.data->ordinarySymbols();
    const bool bos = m_spec.data.bos || m_spec.data.bosAligned;
    const int half = inductionProbeHalf(m_spec.train.inductionProbe, T, int(symbols.size()), bos);
    s.induction.tokens = inductionProbeTokens(half, symbols, bos);
    if (!s.induction.tokens.empty()) {
        s.inductionWorkspace =
            std::make_unique<Workspace<float>>(m_spec.model, 1, int(s.induction.tokens.size()));
        s.induction.workspace = s.inductionWorkspace.get();
    }
    s.optimizer = makeOptimizer(s.model->layout(), m_spec.train);
    s.dataRng.reseed(m_spec.train.seed ^ 0xda7a'0000'0000'0000ULL);
    s.inputs.resize(std::size_t(m_spec.train.batch) * T);
    s.targets.resize(s.inputs.size());
}

Trainer::~Trainer() = default;

const TokenSource& Trainer::data() const {
    return *m_state->data;
}

const std::vector<std::int32_t>& Trainer::probeTokens() const {
    return m_state->probeTokens;
}

void Trainer::publishStatus(RunStatus status, const std::string& message) {
    m_status = status;
    m_bus.publish(StatusChange{status, m_step.load(), message});
}

std::vector<std::uint8_t> Trainer::checkpoint() const {
    return saveCheckpoint(m_spec, m_state->view(m_step.load()));
}

void Trainer::restore(const std::vector<std::uint8_t>& safetensors) {
    TrainingState view = m_state->view(0);
    m_step = loadCheckpoint(safetensors, view);
}

SnapshotPtr Trainer::snapshot(const std::vector<std::int32_t>& probeTokens) const {
    Workspace<float> ws(m_spec.model, 1, int(probeTokens.size()));
    ProbeExtras extras;
    extras.triggers = m_state->data->triggerTokens();
    extras.mapPrecision = m_spec.train.mapPrecision, extras.logitMaps = m_spec.train.probeLogits;
    InductionProbe induction;
    std::unique_ptr<Workspace<float>> inductionWs;
    if (!m_state->induction.tokens.empty()) {
        induction.tokens = m_state->induction.tokens;
        inductionWs = std::make_unique<Workspace<float>>(m_spec.model, 1, int(induction.tokens.size()));
        induction.workspace = inductionWs.get();
    }
    return takeSnapshot(*m_state->model, ws, probeTokens, m_step.load(), extras, &induction);
}

void Trainer::setThreads(int n) {
    m_threads = resolveThreads(n);
}

void Trainer::run() {
    auto& s = *m_state;
    const TrainConfig& tc = m_spec.train;
    int threads = m_threads;
    omp_set_num_threads(threads);
    const int T = m_spec.model.context, B = tc.batch;
    const auto start = Clock::now();
    double pausedSeconds = 0;

    auto publishEvents = [&](const std::vector<Event>& events) {
        for (const Event& e : events) m_bus.publish(e);
    };
    const bool hasParts = !s.data->lossParts().empty();
    // The latest evaluation's ICL score until the event detector has seen it; NaN when none is pending.
    double iclScore = std::numeric_limits<double>::quiet_NaN();
    auto evaluate = [&](std::vector<std::pair<std::string, double>>& scalars) {
        ForwardModeScope<float> evaluation(*s.model, ForwardMode::Evaluation); // eval-time σ (model.h)
        Rng valRng(tc.seed ^ kValidationStream);
        double total = 0, icl = 0;
        int iclCount = 0;
        PartSums parts;
        for (int i = 0; i < tc.evalBatches; ++i) {
            s.data->sampleBatch(Split::Validation, B, T, valRng, s.inputs.data(), s.targets.data());
            total += s.model->forward(*s.train, s.inputs.data(), s.targets.data());
            if (hasParts) parts.add(*s.data, *s.train, s.inputs.data());
            const auto [sum, count] =
                iclSum(s.inputs.data(), s.train->logits, s.train->logZ, B, T, m_spec.model.vocab);
            icl += sum, iclCount += count;
        }
        if (hasParts) parts.publish(*s.data, "val_", scalars);
        if (iclCount > 0) {
            iclScore = icl / iclCount;
            scalars.emplace_back(kIclScalar, iclScore);
        }
        return total / tc.evalBatches;
    };
    auto record = [&](int step, ProbeExtras& extras) {
        extras.mapPrecision = tc.mapPrecision, extras.logitMaps = tc.probeLogits;
        SnapshotPtr snap = takeSnapshot(*s.model, *s.probe, s.probeTokens, step, extras, &s.induction);
        m_bus.publish(snap);
        publishEvents(s.events.onSnapshot(*snap));
    };
    auto publishCheckpoint = [&](int step) {
        auto bytes = std::make_shared<const std::vector<std::uint8_t>>(saveCheckpoint(m_spec, s.view(step)));
        m_bus.publish(CheckpointSaved{step, bytes});
    };

    publishStatus(RunStatus::Training);
    if (m_step == 0) {
        ProbeExtras extras;
        extras.triggers = s.data->triggerTokens();
        record(0, extras);
    }
    while (m_step < tc.steps) {
        if (m_stop) break;
        if (m_paused) {
            publishStatus(RunStatus::Paused);
            const auto pauseStart = Clock::now();
            while (m_paused && !m_stop) std::this_thread::sleep_for(std::chrono::milliseconds(20));
            pausedSeconds += seconds(pauseStart, Clock::now());
            if (m_stop) break;
            publishStatus(RunStatus::Training);
        }
        if (const int wanted = m_threads; wanted != threads) omp_set_num_threads(threads = wanted);
        const int step = m_step + 1;
        const auto t0 = Clock::now();
        s.data->sampleBatch(Split::Train, B, T, s.dataRng, s.inputs.data(), s.targets.data());
        s.model->sigmaPowerStep();
        const double loss = s.model->forward(*s.train, s.inputs.data(), s.targets.data());
        StepRecord rec;
        if (hasParts) {
            PartSums parts;
            parts.add(*s.data, *s.train, s.inputs.data());
            parts.publish(*s.data, "", rec.scalars);
        }
        s.model->backward(*s.train);
        const double gradNorm = clipGradientNorm(s.model->grads.data(), s.model->grads.size(), tc.gradClip);
        if (!std::isfinite(loss) || !std::isfinite(gradNorm)) {
            // Divergence is a result, not a failure: keep the parameters of the last finite step, record why.
            const std::string reason =
                std::string(!std::isfinite(loss) ? "loss" : "gradient norm") + " is not finite";
            m_bus.publish(Event{step, EventKind::NonFinite, reason});
            m_step = step;
            publishStatus(RunStatus::Diverged, reason); // the status says "diverged at step N"; this says why
            return;
        }
        const double lr = learningRate(tc, step);
        const bool recordNow = step % tc.recordEvery == 0 || step == tc.steps;
        std::vector<float> ratios;
        s.optimizer->step(s.model->params.data(), s.model->grads.data(), lr, recordNow ? &ratios : nullptr);
        const double stepSeconds = seconds(t0, Clock::now());
        m_step = step;

        rec.step = step;
        rec.loss = loss + s.model->lastZLoss(); // the objective; forward() returns the cross-entropy alone
        rec.ceLoss = loss;
        rec.lr = lr;
        rec.gradNorm = gradNorm;
        rec.tokensPerSec = double(B) * T / std::max(stepSeconds, 1e-9);
        if (step % tc.evalEvery == 0 || step == tc.steps) rec.valLoss = evaluate(rec.scalars);
        rec.elapsedSec = seconds(start, Clock::now()) - pausedSeconds;
        m_bus.publish(rec);
        publishEvents(s.events.onStep(step, rec.loss));
        if (recordNow) {
            ProbeExtras extras;
            extras.triggers = s.data->triggerTokens();
            const auto& tensors = s.model->layout().tensors;
            for (std::size_t i = 0; i < tensors.size(); ++i)
                if (tensors[i].size() > 1) {
                    extras.names.push_back("update_ratio/" + tensors[i].name);
                    extras.values.push_back(ratios[i]);
                }
            record(step, extras);
        }
        if (std::isfinite(iclScore))
            publishEvents(
                s.events.onIclScore(step, std::exchange(iclScore, std::numeric_limits<double>::quiet_NaN())));
        if (tc.checkpointEvery > 0 && step % tc.checkpointEvery == 0 && step < tc.steps)
            publishCheckpoint(step);
        if (m_stepObserver) m_stepObserver(rec);
    }
    publishCheckpoint(m_step);
    publishStatus(m_step >= tc.steps ? RunStatus::Finished : RunStatus::Stopped);
}

} // namespace attnscope
