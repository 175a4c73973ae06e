#pragma once
// New-run form for TrainConfig: optimiser (AdamW or SGD with momentum) and schedule, seed and threads,
// recording cadence.
#include "core/train/train_config.h"

#include <QWidget>

class QComboBox;
class QDoubleSpinBox;
class QSpinBox;
class QLineEdit;

namespace attnscope::gui {

class SciSpinBox;

class TrainForm : public QWidget {
    Q_OBJECT
public:
    explicit TrainForm(QWidget* parent = nullptr);
    void setConfig(const TrainConfig& config);
    void apply(TrainConfig& config) const;

signals:
    void edited();

private:
    void updateEnabled(); // betas and ε belong to AdamW, momentum to SGD

    QSpinBox *m_batch, *m_steps, *m_warmup, *m_threads;
    SciSpinBox *m_lr, *m_weightDecay, *m_eps, *m_gradClip;
    QDoubleSpinBox *m_minLrRatio, *m_beta1, *m_beta2, *m_momentum;
    QComboBox *m_optimizer, *m_decayMode;
    QLineEdit* m_seed; // 64-bit: wider than a QSpinBox
    QSpinBox *m_recordEvery, *m_probeLength, *m_evalEvery, *m_evalBatches, *m_checkpointEvery;
};

} // namespace attnscope::gui
