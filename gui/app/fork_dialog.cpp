#include "gui/app/fork_dialog.h"

#include "gui/widgets/form_helpers.h"
#include "gui/widgets/sci_spin_box.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>
#include <climits>

namespace attnscope::gui {

ForkDialog::ForkDialog(const QString& runName, const RunSpec& spec, const std::vector<int>& checkpoints,
                       QWidget* parent)
    : QDialog(parent), m_spec(spec) {
    setWindowTitle(tr("Fork “%1”").arg(runName));
    auto* layout = new QVBoxLayout(this);
    auto* intro = new QLabel(tr("A new run starts from a checkpoint of “%1” with the settings below; it is "
                                "recorded as its child. Changes of the model's parameters (shape, positions, "
                                "mechanisms with weights) or of the optimiser are refused.")
                                 .arg(runName.toHtmlEscaped()),
                             this);
    intro->setWordWrap(true);
    layout->addWidget(intro);
    auto* form = new QFormLayout;
    m_from = new QComboBox(this);
    m_from->setObjectName(QStringLiteral("fork.fromStep"));
    for (auto it = checkpoints.rbegin(); it != checkpoints.rend(); ++it)
        m_from->addItem(tr("step %1").arg(*it), *it); // latest first
    m_name = new QLineEdit(QStringLiteral("%1-fork").arg(QString::fromStdString(spec.name)), this);
    m_name->setObjectName(QStringLiteral("fork.name"));
    m_lr = sciField(this, QStringLiteral("fork.lr"), 1e-7, 10);
    m_lr->setValue(spec.train.lr);
    m_weightDecay = sciField(this, QStringLiteral("fork.weightDecay"), 0, 10);
    m_weightDecay->setValue(spec.train.weightDecay);
    m_steps = intField(this, QStringLiteral("fork.steps"), 1, INT_MAX);
    m_steps->setValue(spec.train.steps);
    // The OK button depends on this value: follow every keystroke, so typing a larger step count enables it
    // at once (a disabled button cannot take the focus that would commit the typed value).
    m_steps->setKeyboardTracking(true);
    m_zLoss = sciField(this, QStringLiteral("fork.zLoss"), 0, 1);
    m_zLoss->setValue(spec.model.zLoss);
    m_momentum = fractionField(this, QStringLiteral("fork.momentum"), 0, 0.9999, 0.05);
    m_momentum->setDecimals(4);
    m_momentum->setValue(spec.train.momentum);
    const bool sgd = spec.train.optimizer == OptimizerKind::Sgd;
    m_momentum->setEnabled(sgd); // AdamW has no momentum to change; the optimiser itself cannot change
    m_momentum->setToolTip(sgd ? tr("SGD momentum μ of the child (the momentum buffer carries over).")
                               : tr("This run trains with AdamW. A fork keeps the optimiser: its state "
                                    "(AdamW's moments, SGD's momentum buffer) carries over from the "
                                    "checkpoint."));
    m_attention = enumField(this, QStringLiteral("fork.attention"),
                            {{tr("softmax"), int(AttentionFunction::Softmax)},
                             {tr("ReLU: relu(q·k/√D) / n"), int(AttentionFunction::Relu)}});
    setEnum(m_attention, int(spec.model.attention));
    m_attention->setToolTip(tr("Switch how scores become weights from the checkpoint on (no parameters "
                               "change): does a sink that formed under softmax survive ReLU attention "
                               "(Guo et al. 2024)?"));
    m_ls = boolField(this, QStringLiteral("fork.lsAttention"), tr("LS-attention"));
    m_ls->setChecked(spec.model.lsAttention);
    m_window = intField(this, QStringLiteral("fork.window"), 1, 4096);
    m_window->setPrefix(tr("window "));
    m_window->setValue(spec.model.window);
    m_globalHeads = intField(this, QStringLiteral("fork.globalHeads"), 0, 64);
    m_globalHeads->setPrefix(tr("global heads "));
    m_globalHeads->setValue(spec.model.globalHeads);
    auto* ls = new QHBoxLayout;
    ls->addWidget(m_ls);
    ls->addWidget(m_window);
    ls->addWidget(m_globalHeads);
    form->addRow(tr("From checkpoint"), m_from);
    form->addRow(tr("Name"), m_name);
    form->addRow(tr("Learning rate"), m_lr);
    form->addRow(tr("Weight decay"), m_weightDecay);
    form->addRow(tr("Total steps"), m_steps);
    form->addRow(tr("SGD momentum"), m_momentum);
    form->addRow(tr("z-loss"), m_zLoss);
    form->addRow(tr("Attention weights"), m_attention);
    form->addRow(tr("Local heads"), ls);
    layout->addLayout(form);
    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("fork.summary"));
    m_summary->setWordWrap(true);
    layout->addWidget(m_summary);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Fork and train"));
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    for (QDoubleSpinBox* box :
         {static_cast<QDoubleSpinBox*>(m_lr), static_cast<QDoubleSpinBox*>(m_weightDecay),
          static_cast<QDoubleSpinBox*>(m_zLoss), m_momentum})
        connect(box, &QDoubleSpinBox::valueChanged, this, &ForkDialog::update);
    for (QSpinBox* box : {m_steps, m_window, m_globalHeads})
        connect(box, &QSpinBox::valueChanged, this, &ForkDialog::update);
    connect(m_ls, &QCheckBox::toggled, this, &ForkDialog::update);
    for (QComboBox* box : {m_from, m_attention})
        connect(box, &QComboBox::currentIndexChanged, this, &ForkDialog::update);
    connect(m_name, &QLineEdit::textChanged, this, &ForkDialog::update);
    update();
}

int ForkDialog::fromStep() const {
    return m_from->currentData().toInt();
}

QString ForkDialog::name() const {
    return m_name->text().trimmed();
}

void ForkDialog::apply(RunSpec& spec) const {
    spec.name = name().toStdString();
    spec.train.lr = m_lr->value();
    spec.train.weightDecay = m_weightDecay->value();
    spec.train.steps = m_steps->value();
    if (spec.train.optimizer == OptimizerKind::Sgd) spec.train.momentum = m_momentum->value();
    spec.model.zLoss = m_zLoss->value();
    spec.model.attention = AttentionFunction(enumValue(m_attention));
    spec.model.lsAttention = m_ls->isChecked();
    spec.model.window = m_window->value();
    spec.model.globalHeads = m_globalHeads->value();
}

QString ForkDialog::changes() const {
    RunSpec child = m_spec;
    apply(child);
    QStringList parts;
    auto compare = [&parts](const QString& what, double before, double after) {
        if (before != after) parts << QStringLiteral("%1 %2 → %3").arg(what).arg(before).arg(after);
    };
    compare(tr("lr"), m_spec.train.lr, child.train.lr);
    compare(tr("weight decay"), m_spec.train.weightDecay, child.train.weightDecay);
    compare(tr("steps"), m_spec.train.steps, child.train.steps);
    compare(tr("momentum"), m_spec.train.momentum, child.train.momentum);
    compare(tr("z-loss"), m_spec.model.zLoss, child.model.zLoss);
    if (m_spec.model.attention != child.model.attention)
        parts << tr("%1 attention")
                     .arg(child.model.attention == AttentionFunction::Relu ? tr("ReLU") : tr("softmax"));
    if (m_spec.model.lsAttention != child.model.lsAttention)
        parts << (child.model.lsAttention ? tr("LS-attention on") : tr("LS-attention off"));
    if (child.model.lsAttention) {
        compare(tr("window"), m_spec.model.window, child.model.window);
        compare(tr("global heads"), m_spec.model.globalHeads, child.model.globalHeads);
    }
    return parts.join(QStringLiteral(", "));
}

void ForkDialog::update() {
    m_window->setEnabled(m_ls->isChecked());
    m_globalHeads->setEnabled(m_ls->isChecked());
    const QString what = changes();
    const bool ok = !name().isEmpty() && m_steps->value() > fromStep();
    m_summary->setText(!ok ? tr("Needs a name and more total steps than the checkpoint's %1.").arg(fromStep())
                       : what.isEmpty() ? tr("Same settings as the parent from step %1 (a branch to compare "
                                             "against).")
                                              .arg(fromStep())
                                        : tr("From step %1: %2.").arg(fromStep()).arg(what));
    if (auto* box = findChild<QDialogButtonBox*>()) box->button(QDialogButtonBox::Ok)->setEnabled(ok);
}

} // namespace attnscope::gui
