#pragma once
// Fork a run: a new run that starts from one of the run's checkpoints with changed settings — learning rate,
// weight decay, step count, SGD momentum, z-loss, LS-attention (window, global heads), softmax or ReLU
// attention: what changes without changing the parameter layout or the optimiser's state. The engine
// (RunDriver::fork) refuses any other change with a message naming it; the dialog only collects the choices.
#include "core/train/run_spec.h"

#include <QDialog>
#include <vector>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace attnscope::gui {

class SciSpinBox;

class ForkDialog : public QDialog {
    Q_OBJECT
public:
    // `spec`: the run's settings; `checkpoints`: its checkpoint steps, ascending (at least one).
    ForkDialog(const QString& runName, const RunSpec& spec, const std::vector<int>& checkpoints,
               QWidget* parent = nullptr);

    int fromStep() const;
    QString name() const;
    // Applies the dialog's settings to a copy of the parent's spec at the checkpoint.
    void apply(RunSpec& spec) const;
    // What changes, for the child's note: "lr 0.001 → 0.0003, weight decay 0.1 → 0".
    QString changes() const;

    QComboBox* checkpointBox() const { return m_from; }
    SciSpinBox* lrBox() const { return m_lr; }
    QComboBox* attentionBox() const { return m_attention; }
    QDoubleSpinBox* momentumBox() const { return m_momentum; } // enabled for SGD runs only
    QLineEdit* nameEdit() const { return m_name; }

private:
    void update();

    RunSpec m_spec;
    QComboBox* m_from;
    QLineEdit* m_name;
    SciSpinBox* m_lr;
    SciSpinBox* m_weightDecay;
    SciSpinBox* m_zLoss;
    QDoubleSpinBox* m_momentum;
    QComboBox* m_attention;
    QSpinBox* m_steps;
    QCheckBox* m_ls;
    QSpinBox* m_window;
    QSpinBox* m_globalHeads;
    QLabel* m_summary;
};

} // namespace attnscope::gui
