#include "gui/app/train_form.h"

#include "gui/widgets/form_helpers.h"
#include "gui/widgets/sci_spin_box.h"

#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QRegularExpressionValidator>
#include <QVBoxLayout>

namespace attnscope::gui {

namespace {
QWidget* pair(QWidget* parent, QWidget* a, QWidget* b) {
    auto* w = new QWidget(parent);
    auto* layout = new QHBoxLayout(w);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(a, 1);
    layout->addWidget(b, 1);
    return w;
}
} // namespace

TrainForm::TrainForm(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);

    auto* opt = new QGroupBox(tr("Optimisation (warmup + cosine)"), this);
    auto* of = new QFormLayout(opt);
    of->setRowWrapPolicy(QFormLayout::WrapLongRows); // a narrow panel puts the field under its label
    m_optimizer = enumField(
        opt, "train.optimizer",
        {{tr("AdamW"), int(OptimizerKind::AdamW)}, {tr("SGD with momentum"), int(OptimizerKind::Sgd)}});
    m_optimizer->setToolTip(
        tr("AdamW scales every parameter's step by its own running gradient size (β₁, β₂, ε); SGD steps "
           "along the gradient, smoothed by momentum, with one learning rate for all. SGD needs a larger LR "
           "(the sink presets use 3e-2). Guo et al. (2024, arXiv 2410.13835) found that attention sinks form "
           "under Adam but hardly under SGD."));
    m_momentum = fractionField(opt, "train.momentum", 0, 0.9999, 0.05);
    m_momentum->setDecimals(4);
    m_momentum->setPrefix(tr("momentum "));
    m_momentum->setToolTip(tr("SGD heavy-ball momentum μ: b ← μ·b + g, θ ← θ − lr·b. 0 is plain SGD; "
                              "must be below 1."));
    m_batch = intField(opt, "train.batch", 1, 4096);
    m_steps = intField(opt, "train.steps", 1, 10'000'000, 100);
    m_lr = sciField(opt, "train.lr", 0, 10);
    m_minLrRatio = fractionField(opt, "train.minLrRatio", 0, 1, 0.05);
    m_minLrRatio->setPrefix(tr("floor ×"));
    m_warmup = intField(opt, "train.warmup", 0, 10'000'000, 50);
    m_weightDecay = sciField(opt, "train.weightDecay", 0, 10);
    m_decayMode = enumField(opt, "train.decayMode",
                            {{tr("decoupled (AdamW)"), int(WeightDecayMode::Decoupled)},
                             {tr("independent (Wortsman)"), int(WeightDecayMode::Independent)}});
    m_beta1 = fractionField(opt, "train.beta1", 0, 0.9999, 0.01);
    m_beta1->setDecimals(4);
    m_beta1->setPrefix(QStringLiteral("β₁ "));
    m_beta2 = fractionField(opt, "train.beta2", 0, 0.9999, 0.01);
    m_beta2->setDecimals(4);
    m_beta2->setPrefix(QStringLiteral("β₂ "));
    m_eps = sciField(opt, "train.eps", 0, 1);
    m_gradClip = sciField(opt, "train.gradClip", 0, 1e6);
    m_gradClip->setToolTip(tr("Global-norm clip; 0 disables."));
    m_seed = new QLineEdit(opt);
    m_seed->setObjectName("train.seed");
    m_seed->setValidator(new QRegularExpressionValidator(QRegularExpression("[0-9]{1,19}"), m_seed));
    m_threads = intField(opt, "train.threads", 0, 1024);
    m_threads->setSpecialValueText(tr("auto (split cores)"));
    of->addRow(tr("Optimiser"), pair(opt, m_optimizer, m_momentum));
    of->addRow(tr("Batch × steps"), pair(opt, m_batch, m_steps));
    of->addRow(tr("Peak LR"), pair(opt, m_lr, m_minLrRatio));
    of->addRow(tr("Warmup steps"), m_warmup);
    of->addRow(tr("Weight decay"), pair(opt, m_weightDecay, m_decayMode));
    of->addRow(tr("Betas"), pair(opt, m_beta1, m_beta2));
    of->addRow(tr("ε / grad clip"), pair(opt, m_eps, m_gradClip));
    of->addRow(tr("Seed"), m_seed);
    of->addRow(tr("Threads"), m_threads);
    layout->addWidget(opt);

    auto* rec = new QGroupBox(tr("Recording"), this);
    auto* rf = new QFormLayout(rec);
    rf->setRowWrapPolicy(QFormLayout::WrapLongRows); // a narrow panel puts the field under its label
    m_recordEvery = intField(rec, "train.recordEvery", 1, 1'000'000, 5);
    m_probeLength = intField(rec, "train.probeLength", 0, 4096, 8);
    m_probeLength->setSpecialValueText(tr("context length"));
    m_probeLength->setToolTip(tr("Tokens in the probe sequence; attention maps are probe length²."));
    m_evalEvery = intField(rec, "train.evalEvery", 1, 1'000'000, 50);
    m_evalBatches = intField(rec, "train.evalBatches", 1, 1000);
    m_checkpointEvery = intField(rec, "train.checkpointEvery", 0, 10'000'000, 100);
    m_checkpointEvery->setSpecialValueText(tr("only at the end"));
    rf->addRow(tr("Snapshot every"), m_recordEvery);
    rf->addRow(tr("Probe length"), m_probeLength);
    rf->addRow(tr("Validate every / batches"), pair(rec, m_evalEvery, m_evalBatches));
    rf->addRow(tr("Checkpoint every"), m_checkpointEvery);
    layout->addWidget(rec);

    for (QSpinBox* box : {m_batch, m_steps, m_warmup, m_threads, m_recordEvery, m_probeLength, m_evalEvery,
                          m_evalBatches, m_checkpointEvery})
        connect(box, &QSpinBox::valueChanged, this, &TrainForm::edited);
    for (QDoubleSpinBox* box : std::initializer_list<QDoubleSpinBox*>{
             m_lr, m_weightDecay, m_eps, m_gradClip, m_minLrRatio, m_beta1, m_beta2, m_momentum})
        connect(box, &QDoubleSpinBox::valueChanged, this, &TrainForm::edited);
    for (QComboBox* box : {m_optimizer, m_decayMode})
        connect(box, &QComboBox::currentIndexChanged, this, &TrainForm::edited);
    connect(this, &TrainForm::edited, this, &TrainForm::updateEnabled);
    connect(m_seed, &QLineEdit::textChanged, this, &TrainForm::edited);
    setConfig(TrainConfig{});
}

void TrainForm::setConfig(const TrainConfig& c) {
    const QSignalBlocker block(this);
    setEnum(m_optimizer, int(c.optimizer));
    m_momentum->setValue(c.momentum);
    m_batch->setValue(c.batch);
    m_steps->setValue(c.steps);
    m_lr->setValue(c.lr);
    m_minLrRatio->setValue(c.minLrRatio);
    m_warmup->setValue(c.warmup);
    m_weightDecay->setValue(c.weightDecay);
    setEnum(m_decayMode, int(c.decayMode));
    m_beta1->setValue(c.beta1);
    m_beta2->setValue(c.beta2);
    m_eps->setValue(c.eps);
    m_gradClip->setValue(c.gradClip);
    m_seed->setText(QString::number(c.seed));
    m_threads->setValue(c.threads);
    m_recordEvery->setValue(c.recordEvery);
    m_probeLength->setValue(c.probeLength);
    m_evalEvery->setValue(c.evalEvery);
    m_evalBatches->setValue(c.evalBatches);
    m_checkpointEvery->setValue(c.checkpointEvery);
    updateEnabled();
}

void TrainForm::apply(TrainConfig& c) const {
    c.optimizer = OptimizerKind(enumValue(m_optimizer));
    c.momentum = m_momentum->value();
    c.batch = m_batch->value();
    c.steps = m_steps->value();
    c.lr = m_lr->value();
    c.minLrRatio = m_minLrRatio->value();
    c.warmup = m_warmup->value();
    c.weightDecay = m_weightDecay->value();
    c.decayMode = WeightDecayMode(enumValue(m_decayMode));
    c.beta1 = m_beta1->value();
    c.beta2 = m_beta2->value();
    c.eps = m_eps->value();
    c.gradClip = m_gradClip->value();
    c.seed = m_seed->text().toULongLong();
    c.threads = m_threads->value();
    c.recordEvery = m_recordEvery->value();
    c.probeLength = m_probeLength->value();
    c.evalEvery = m_evalEvery->value();
    c.evalBatches = m_evalBatches->value();
    c.checkpointEvery = m_checkpointEvery->value();
}

void TrainForm::updateEnabled() {
    const bool adam = OptimizerKind(enumValue(m_optimizer)) == OptimizerKind::AdamW;
    for (QWidget* w : std::initializer_list<QWidget*>{m_beta1, m_beta2, m_eps}) w->setEnabled(adam);
    m_momentum->setEnabled(!adam);
    m_decayMode->setItemText(0, adam ? tr("decoupled (AdamW)") : tr("decoupled (lr·λ·θ)"));
}

} // namespace attnscope::gui
