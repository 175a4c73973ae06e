#include "gui/app/model_form.h"

#include "gui/widgets/form_helpers.h"
#include "gui/widgets/sci_spin_box.h"

#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

namespace attnscope::gui {

namespace {
QWidget* row(QWidget* parent, std::initializer_list<QWidget*> widgets) {
    auto* w = new QWidget(parent);
    auto* layout = new QHBoxLayout(w);
    layout->setContentsMargins(0, 0, 0, 0);
    for (QWidget* x : widgets) layout->addWidget(x);
    layout->addStretch(1);
    return w;
}
} // namespace

ModelForm::ModelForm(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);

    auto* arch = new QGroupBox(tr("Model"), this);
    auto* af = new QFormLayout(arch);
    af->setRowWrapPolicy(QFormLayout::WrapLongRows); // a narrow panel puts the field under its label
    m_layers = intField(arch, "model.layers", 1, 32);
    m_heads = intField(arch, "model.heads", 1, 64);
    m_dModel = intField(arch, "model.dModel", 4, 2048, 8);
    m_context = intField(arch, "model.context", 2, 4096, 16);
    m_headDim = new QLabel(arch);
    m_position = enumField(arch, "model.position",
                           {{tr("learned (nanoGPT)"), int(PositionScheme::Learned)},
                            {tr("sinusoidal"), int(PositionScheme::Sinusoidal)},
                            {tr("none (NoPE)"), int(PositionScheme::None)},
                            {tr("ALiBi (Press et al.)"), int(PositionScheme::Alibi)},
                            {tr("RoPE"), int(PositionScheme::Rope)}});
    m_sinusoidalScale = sciField(arch, "model.sinusoidalScale", 0, 100);
    m_ropeTheta = sciField(arch, "model.ropeTheta", 1, 1e9);
    m_tiedHead = boolField(arch, "model.tiedHead", tr("tied output head"));
    m_lnEps = sciField(arch, "model.layerNormEps", 0, 1);
    m_initStd = sciField(arch, "model.initStd", 0, 10);
    af->addRow(tr("Layers × heads"), row(arch, {m_layers, new QLabel("×", arch), m_heads, m_headDim}));
    af->addRow(tr("Width d_model"), m_dModel);
    af->addRow(tr("Context T"), m_context);
    af->addRow(tr("Positions"), m_position);
    af->addRow(tr("Sinusoid scale"), m_sinusoidalScale);
    af->addRow(tr("RoPE θ"), m_ropeTheta);
    af->addRow(QString(), m_tiedHead);
    m_lnEps->setMinimumWidth(80);
    m_initStd->setMinimumWidth(80);
    af->addRow(tr("LN ε / init σ"), row(arch, {m_lnEps, m_initStd}));
    layout->addWidget(arch);

    auto* mech = new QGroupBox(tr("Mechanisms"), this);
    auto* mf = new QFormLayout(mech);
    mf->setRowWrapPolicy(QFormLayout::WrapLongRows); // a narrow panel puts the field under its label
    m_attention = enumField(mech, "model.attention",
                            {{tr("softmax (standard)"), int(AttentionFunction::Softmax)},
                             {tr("ReLU: relu(q·k/√D) / n"), int(AttentionFunction::Relu)}});
    m_attention->setToolTip(
        tr("How a query turns its scores into weights. Softmax makes every query's weights sum to 1, so a "
           "query with nothing to look at must still put its attention somewhere — often on the first token "
           "(an attention sink). ReLU attention divides relu(score) by the number of keys the query sees: "
           "weights need not sum to 1, a query can attend to nothing, and Guo et al. (2024, "
           "arXiv 2410.13835) found that no sink forms."));
    m_ls = boolField(mech, "model.lsAttention", tr("LS-attention"));
    m_window = intField(mech, "model.window", 1, 4096);
    m_window->setPrefix(tr("window "));
    m_globalHeads = intField(mech, "model.globalHeads", 0, 64);
    m_globalHeads->setPrefix(tr("global heads "));
    m_valueResidual = enumField(mech, "model.valueResidual",
                                {{tr("off"), int(ValueResidual::Off)},
                                 {tr("ResFormer ½·V₁ + ½·Vₙ"), int(ValueResidual::Identity)},
                                 {tr("ResFormer constant λ"), int(ValueResidual::Constant)},
                                 {tr("ResFormer learnable λ"), int(ValueResidual::Learnable)},
                                 {tr("SVFormer (share V₁)"), int(ValueResidual::SVFormer)}});
    m_lambda1 = fractionField(mech, "model.lambda1", -10, 10, 0.05);
    m_lambda1->setPrefix(QStringLiteral("λ₁ "));
    m_lambda2 = fractionField(mech, "model.lambda2", -10, 10, 0.05);
    m_lambda2->setPrefix(QStringLiteral("λ₂ "));
    m_sigma = enumField(mech, "model.sigmaReparam",
                        {{tr("off"), int(SigmaReparam::Off)},
                         {tr("fused W_qkv"), int(SigmaReparam::Fused)},
                         {tr("separate q, k, v"), int(SigmaReparam::Separate)}});
    m_gammaInit = enumField(mech, "model.gammaInit",
                            {{tr("γ = 1"), int(GammaInit::One)}, {tr("γ = σ(W₀)"), int(GammaInit::Sigma0)}});
    m_qkNorm = boolField(mech, "model.qkNorm", tr("QK-LayerNorm"));
    m_zLoss = sciField(mech, "model.zLoss", 0, 1);
    m_ls->setToolTip(tr("Hajra 2025: heads before the last 'global heads' see only a causal window."));
    m_valueResidual->setToolTip(tr("Zhou et al.: mix the first layer's values into every layer's values."));
    m_sigma->setToolTip(tr("Zhai et al.: every linear layer uses γ/σ(W)·W (spectral reparametrisation)."));
    m_zLoss->setMinimumWidth(70);
    m_zLoss->setToolTip(tr("Coefficient of (log Z)²; Wortsman et al. use 1e-4. 0 disables."));
    mf->addRow(tr("Attention weights"), m_attention);
    mf->addRow(m_ls, row(mech, {m_window, m_globalHeads}));
    mf->addRow(tr("Value residual"), m_valueResidual);
    mf->addRow(QString(), row(mech, {m_lambda1, m_lambda2}));
    mf->addRow(tr("σReparam"), row(mech, {m_sigma, m_gammaInit}));
    mf->addRow(tr("Stabilisers"), row(mech, {m_qkNorm, new QLabel(tr("z-loss"), mech), m_zLoss}));
    layout->addWidget(mech);

    for (QSpinBox* box : {m_layers, m_heads, m_dModel, m_context, m_window, m_globalHeads})
        connect(box, &QSpinBox::valueChanged, this, &ModelForm::edited);
    for (QDoubleSpinBox* box : std::initializer_list<QDoubleSpinBox*>{
             m_sinusoidalScale, m_ropeTheta, m_lnEps, m_initStd, m_lambda1, m_lambda2, m_zLoss})
        connect(box, &QDoubleSpinBox::valueChanged, this, &ModelForm::edited);
    for (QComboBox* box : {m_position, m_attention, m_valueResidual, m_sigma, m_gammaInit})
        connect(box, &QComboBox::currentIndexChanged, this, &ModelForm::edited);
    for (QCheckBox* box : {m_tiedHead, m_ls, m_qkNorm})
        connect(box, &QCheckBox::toggled, this, &ModelForm::edited);
    connect(this, &ModelForm::edited, this, &ModelForm::updateEnabled);
    setConfig(ModelConfig{});
}

void ModelForm::setConfig(const ModelConfig& c) {
    const QSignalBlocker block(this); // one edited() at the end, not one per field
    m_layers->setValue(c.layers);
    m_heads->setValue(c.heads);
    m_dModel->setValue(c.dModel);
    m_context->setValue(c.context);
    setEnum(m_position, int(c.position));
    m_sinusoidalScale->setValue(c.sinusoidalScale);
    m_ropeTheta->setValue(c.ropeTheta);
    m_tiedHead->setChecked(c.tiedHead);
    m_lnEps->setValue(c.layerNormEps);
    m_initStd->setValue(c.initStd);
    setEnum(m_attention, int(c.attention));
    m_ls->setChecked(c.lsAttention);
    m_window->setValue(c.window);
    m_globalHeads->setValue(c.globalHeads);
    setEnum(m_valueResidual, int(c.valueResidual));
    m_lambda1->setValue(c.lambda1);
    m_lambda2->setValue(c.lambda2);
    setEnum(m_sigma, int(c.sigmaReparam));
    setEnum(m_gammaInit, int(c.gammaInit));
    m_qkNorm->setChecked(c.qkNorm);
    m_zLoss->setValue(c.zLoss);
    updateEnabled();
}

void ModelForm::apply(ModelConfig& c) const {
    c.layers = m_layers->value();
    c.heads = m_heads->value();
    c.dModel = m_dModel->value();
    c.context = m_context->value();
    c.position = PositionScheme(enumValue(m_position));
    c.sinusoidalScale = m_sinusoidalScale->value();
    c.ropeTheta = m_ropeTheta->value();
    c.tiedHead = m_tiedHead->isChecked();
    c.layerNormEps = m_lnEps->value();
    c.initStd = m_initStd->value();
    c.attention = AttentionFunction(enumValue(m_attention));
    c.lsAttention = m_ls->isChecked();
    c.window = m_window->value();
    c.globalHeads = m_globalHeads->value();
    c.valueResidual = ValueResidual(enumValue(m_valueResidual));
    c.lambda1 = m_lambda1->value();
    c.lambda2 = m_lambda2->value();
    c.sigmaReparam = SigmaReparam(enumValue(m_sigma));
    c.gammaInit = GammaInit(enumValue(m_gammaInit));
    c.qkNorm = m_qkNorm->isChecked();
    c.zLoss = m_zLoss->value();
}

void ModelForm::updateEnabled() {
    const auto position = PositionScheme(enumValue(m_position));
    m_sinusoidalScale->setEnabled(position == PositionScheme::Sinusoidal);
    m_ropeTheta->setEnabled(position == PositionScheme::Rope);
    m_window->setEnabled(m_ls->isChecked());
    m_globalHeads->setEnabled(m_ls->isChecked());
    const auto vr = ValueResidual(enumValue(m_valueResidual));
    const bool lambdas = vr == ValueResidual::Constant || vr == ValueResidual::Learnable;
    m_lambda1->setEnabled(lambdas);
    m_lambda2->setEnabled(lambdas);
    m_gammaInit->setEnabled(SigmaReparam(enumValue(m_sigma)) != SigmaReparam::Off);
    const int heads = m_heads->value();
    m_headDim->setText(heads > 0 && m_dModel->value() % heads == 0
                           ? tr("head dim %1").arg(m_dModel->value() / heads)
                           : tr("d_model not divisible by heads"));
}

} // namespace attnscope::gui
