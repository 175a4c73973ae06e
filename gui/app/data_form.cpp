#include "gui/app/data_form.h"

#include "core/data/bigram_backcopy.h"
#include "core/data/synthetic_tasks.h"
#include "gui/widgets/form_helpers.h"

#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QToolButton>
#include <QVBoxLayout>

namespace attnscope::gui {

DataForm::DataForm(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* box = new QGroupBox(tr("Data"), this);
    auto* form = new QFormLayout(box);
    form->setRowWrapPolicy(QFormLayout::WrapLongRows); // a narrow panel puts the field under its label

    m_source = new QComboBox(box);
    m_source->setObjectName("data.source");
    m_source->addItem(tr("Debian fortunes (English text)"), QStringLiteral("fortunes"));
    m_source->addItem(tr("text file"), QStringLiteral("file"));
    m_source->addItem(tr("synthetic task"), QStringLiteral("task"));
    m_path = new QLineEdit(box);
    m_path->setObjectName("data.path");
    m_path->setPlaceholderText(tr("path to a UTF-8 text file"));
    m_browse = new QToolButton(box);
    m_browse->setText(QStringLiteral("…"));
    auto* pathRow = new QWidget(box);
    auto* pathLayout = new QHBoxLayout(pathRow);
    pathLayout->setContentsMargins(0, 0, 0, 0);
    pathLayout->addWidget(m_path, 1);
    pathLayout->addWidget(m_browse);
    m_task = new QComboBox(box);
    m_task->setObjectName("data.task");
    for (QComboBox* box : {m_source, m_task}) guardWheel(box);
    for (const std::string& name : taskNames()) m_task->addItem(QString::fromStdString(name));
    m_alphabet = intField(box, "data.taskAlphabet", 2, 256);
    m_localK = intField(box, "data.taskLocalK", 1, 256);
    m_localK->setPrefix(tr("k = "));
    m_localK->setToolTip(tr("Local task: the target depends on the previous k tokens."));
    m_triggers = intField(box, "data.taskTriggers", 1, 32);
    m_triggers->setPrefix(tr("triggers "));
    m_triggers->setToolTip(
        tr("Bigram-Backcopy (Guo et al. 2024, arXiv 2410.13835): the k most frequent characters are "
           "triggers. After a trigger the next token copies the token before it (backcopy); after any other "
           "token it follows the text's bigram statistics. Heads learn to act only on triggers and park "
           "their attention on <bos> otherwise: an attention sink. The chain's text is the File above, or "
           "the fortunes when empty."));
    m_bos = boolField(box, "data.bos", tr("<bos> before every sequence"));
    m_bos->setToolTip(tr("Prepend a BOS separator to every training sequence: a token that is the same at "
                         "the start of every sequence, where attention sinks can form (Guo et al. 2024)."));
    m_bosAligned = boolField(box, "data.bosAligned", tr("sequences start at document starts"));
    m_bosAligned->setToolTip(
        tr("Text corpora: every training sequence starts at the beginning of a document (a fortune, or the "
           "text after a blank line) after <bos>, instead of at a random offset in mid-sentence. Implies "
           "<bos>. Synthetic tasks are always aligned."));
    m_valFraction = fractionField(box, "data.valFraction", 0, 0.9, 0.05);
    m_probeText = new QLineEdit(box);
    m_probeText->setObjectName("data.probeText");
    m_probeText->setPlaceholderText(tr("default: taken from the validation data"));

    form->addRow(tr("Source"), m_source);
    form->addRow(tr("File"), pathRow);
    form->addRow(tr("Task"), m_task);
    form->addRow(tr("Alphabet / local k"), [&] {
        auto* w = new QWidget(box);
        auto* l = new QHBoxLayout(w);
        l->setContentsMargins(0, 0, 0, 0);
        l->addWidget(m_alphabet, 1);
        l->addWidget(m_localK, 1);
        return w;
    }());
    form->addRow(tr("Backcopy"), m_triggers);
    form->addRow(QString(), m_bos);
    form->addRow(QString(), m_bosAligned);
    form->addRow(tr("Validation share"), m_valFraction);
    form->addRow(tr("Probe text"), m_probeText);
    layout->addWidget(box);

    connect(m_source, &QComboBox::currentIndexChanged, this, &DataForm::edited);
    connect(m_task, &QComboBox::currentIndexChanged, this, &DataForm::edited);
    connect(m_path, &QLineEdit::textChanged, this, &DataForm::edited);
    connect(m_probeText, &QLineEdit::textChanged, this, &DataForm::edited);
    for (QSpinBox* spin : {m_alphabet, m_localK, m_triggers})
        connect(spin, &QSpinBox::valueChanged, this, &DataForm::edited);
    for (QCheckBox* check : {m_bos, m_bosAligned})
        connect(check, &QCheckBox::toggled, this, &DataForm::edited);
    connect(m_valFraction, &QDoubleSpinBox::valueChanged, this, &DataForm::edited);
    connect(this, &DataForm::edited, this, &DataForm::updateEnabled);
    connect(m_browse, &QToolButton::clicked, this, &DataForm::browse);
    setConfig(DataConfig{});
}

void DataForm::setConfig(const DataConfig& c) {
    const QSignalBlocker block(this);
    const int source = m_source->findData(QString::fromStdString(c.source));
    m_source->setCurrentIndex(source >= 0 ? source : 0);
    m_path->setText(QString::fromStdString(c.path));
    const int task = m_task->findText(QString::fromStdString(c.task));
    if (task >= 0) m_task->setCurrentIndex(task);
    m_alphabet->setValue(c.taskAlphabet);
    m_localK->setValue(c.taskLocalK);
    m_triggers->setValue(c.taskTriggers);
    m_bos->setChecked(c.bos);
    m_bosAligned->setChecked(c.bosAligned);
    m_valFraction->setValue(c.valFraction);
    m_probeText->setText(QString::fromStdString(c.probeText));
    updateEnabled();
}

void DataForm::apply(DataConfig& c) const {
    c.source = m_source->currentData().toString().toStdString();
    c.path = m_path->text().toStdString();
    c.task = m_task->currentText().toStdString();
    c.taskAlphabet = m_alphabet->value();
    c.taskLocalK = m_localK->value();
    c.taskTriggers = m_triggers->value();
    c.bos = m_bos->isChecked();
    c.bosAligned = m_bosAligned->isChecked();
    c.valFraction = m_valFraction->value();
    c.probeText = m_probeText->text().toStdString();
}

void DataForm::updateEnabled() {
    const QString source = m_source->currentData().toString();
    const bool task = source == "task";
    const QString name = m_task->currentText();
    const bool backcopy = task && name == QString::fromLatin1(kBigramBackcopyTask);
    // Bigram-Backcopy estimates its chain from a text: the file when given, else the fortunes.
    m_path->setEnabled(source == "file" || backcopy);
    m_browse->setEnabled(source == "file" || backcopy);
    m_path->setPlaceholderText(backcopy ? tr("optional: chain text (default: fortunes)")
                                        : tr("path to a UTF-8 text file"));
    m_task->setEnabled(task);
    m_alphabet->setEnabled(task && !backcopy);
    m_localK->setEnabled(task && name == "local");
    m_triggers->setEnabled(backcopy);
    m_bosAligned->setEnabled(!task); // synthetic tasks are always aligned
    // Aligned sequences start with <bos> (the engine implies it); the box shows it.
    if (m_bosAligned->isChecked() && !task) m_bos->setChecked(true);
    m_bos->setEnabled(task || !m_bosAligned->isChecked());
}

void DataForm::browse() {
    const QString path = QFileDialog::getOpenFileName(this, tr("Training text"), m_path->text(),
                                                      tr("Text (*.txt);;All files (*)"));
    if (!path.isEmpty()) m_path->setText(path);
}

} // namespace attnscope::gui
