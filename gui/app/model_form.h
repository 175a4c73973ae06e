#pragma once
// New-run form for ModelConfig: architecture, and the mechanisms of the four papers with their options
// (options are enabled only while their mechanism is on). Reads and writes a ModelConfig; emits edited().
#include "core/model/config.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QSpinBox;

namespace attnscope::gui {

class SciSpinBox;

class ModelForm : public QWidget {
    Q_OBJECT
public:
    explicit ModelForm(QWidget* parent = nullptr);
    void setConfig(const ModelConfig& config);
    void apply(ModelConfig& config) const; // vocab is left alone: the tokenizer sets it

signals:
    void edited();

private:
    void updateEnabled();

    QSpinBox *m_layers, *m_heads, *m_dModel, *m_context;
    QComboBox* m_position;
    SciSpinBox *m_sinusoidalScale, *m_ropeTheta, *m_lnEps, *m_initStd;
    QCheckBox* m_tiedHead;
    QLabel* m_headDim;

    QComboBox* m_attention;
    QCheckBox* m_ls;
    QSpinBox *m_window, *m_globalHeads;
    QComboBox* m_valueResidual;
    QDoubleSpinBox *m_lambda1, *m_lambda2;
    QComboBox *m_sigma, *m_gammaInit;
    QCheckBox* m_qkNorm;
    SciSpinBox* m_zLoss;
};

} // namespace attnscope::gui
