#include "gui/sweeps/new_sweep_dialog.h"

#include "core/sweep/sweep_runner.h"
#include "gui/sweeps/sweep_folder.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>
#include <algorithm>
#include <thread>

namespace attnscope::gui {

NewSweepDialog::NewSweepDialog(QWidget* parent, const QString& defaultFolder)
    : QDialog(parent),
      m_defaultFolder(defaultFolder.isEmpty() ? QDir::current().filePath(QStringLiteral("sweeps"))
                                              : defaultFolder) {
    setWindowTitle(tr("New sweep"));
    auto* form = new QFormLayout;
    m_preset = new QComboBox(this);
    for (const SweepPreset& p : sweepPresets())
        m_preset->addItem(QString::fromStdString(p.id), QString::fromStdString(p.id));
    m_description = new QLabel(this);
    m_description->setWordWrap(true);
    m_variants = new QListWidget(this);
    m_variants->setMaximumHeight(110);
    m_lrs = new QLineEdit(this);
    m_lrs->setToolTip(tr("Peak learning rates, comma-separated (log-spaced is what the LR-sensitivity plot "
                         "expects: 1e-3, 3.16e-3, 1e-2, …)"));
    m_seeds = new QSpinBox(this);
    m_seeds->setRange(1, 20);
    m_steps = new QSpinBox(this);
    m_steps->setRange(1, 1000000);
    m_folder = new QLineEdit(this);
    auto* browse = new QPushButton(tr("Browse…"), this);
    auto* folderRow = new QHBoxLayout;
    folderRow->addWidget(m_folder, 1);
    folderRow->addWidget(browse);
    const int cores = int(std::max(1u, std::thread::hardware_concurrency()));
    m_parallel = new QSpinBox(this);
    m_parallel->setRange(1, cores);
    m_parallel->setValue(std::min(2, cores));
    m_parallel->setToolTip(tr("Cells training at once"));
    m_threads = new QSpinBox(this);
    m_threads->setRange(1, cores);
    m_threads->setToolTip(tr("Threads per cell (changes no number: training is deterministic on any count)"));
    form->addRow(tr("Preset"), m_preset);
    form->addRow(QString(), m_description);
    form->addRow(tr("Variants"), m_variants);
    form->addRow(tr("Learning rates"), m_lrs);
    form->addRow(tr("Seeds"), m_seeds);
    form->addRow(tr("Steps per cell"), m_steps);
    form->addRow(tr("Output folder"), folderRow);
    form->addRow(tr("Cells at once"), m_parallel);
    form->addRow(tr("Threads per cell"), m_threads);
    m_count = new QLabel(this);
    m_existing = new QLabel(this);
    m_existing->setWordWrap(true);
    m_message = new QLabel(this);
    m_message->setWordWrap(true);
    m_message->setStyleSheet(QStringLiteral("color: #b03020"));
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_start = buttons->addButton(tr("Start sweep"), QDialogButtonBox::AcceptRole);
    m_resumeButton = buttons->addButton(tr("Resume this sweep"), QDialogButtonBox::ActionRole);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_count);
    layout->addWidget(m_existing);
    layout->addWidget(m_message);
    layout->addWidget(buttons);

    connect(m_preset, &QComboBox::currentIndexChanged, this, &NewSweepDialog::presetChanged);
    connect(m_variants, &QListWidget::itemChanged, this, &NewSweepDialog::updateCount);
    connect(m_lrs, &QLineEdit::textChanged, this, &NewSweepDialog::updateCount);
    connect(m_seeds, &QSpinBox::valueChanged, this, &NewSweepDialog::updateCount);
    connect(m_folder, &QLineEdit::textChanged, this, &NewSweepDialog::folderChanged);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Sweep folder"), m_folder->text());
        if (!dir.isEmpty()) m_folder->setText(dir);
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_start, &QPushButton::clicked, this, &NewSweepDialog::startNew);
    connect(m_resumeButton, &QPushButton::clicked, this, &NewSweepDialog::resume);
    presetChanged();
}

QString NewSweepDialog::folder() const {
    return QDir::cleanPath(m_folder->text().trimmed());
}

SweepOptions NewSweepDialog::options() const {
    SweepOptions o;
    o.parallel = m_parallel->value();
    o.threadsPerCell = m_threads->value();
    return o;
}

void NewSweepDialog::presetChanged() {
    const SweepPreset* p = findSweepPreset(m_preset->currentData().toString().toStdString());
    if (!p) return;
    m_description->setText(QString::fromStdString(p->description));
    m_variants->clear();
    for (const QString& label : variantLabels(p->spec)) {
        auto* item = new QListWidgetItem(label, m_variants);
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        item->setCheckState(Qt::Checked);
    }
    const std::vector<double> lrs = lrValues(p->spec);
    m_lrs->setEnabled(!lrs.empty());
    m_lrs->setText(lrs.empty() ? tr("(this preset has no LR axis)") : formatLrList(lrs));
    m_seeds->setValue(seedCount(p->spec));
    m_steps->setValue(baseSteps(p->spec));
    m_folder->setText(QDir(m_defaultFolder).filePath(QString::fromStdString(p->id)));
    updateCount();
}

void NewSweepDialog::updateCount() {
    int variants = 0;
    for (int i = 0; i < m_variants->count(); ++i)
        variants += m_variants->item(i)->checkState() == Qt::Checked;
    int lrs = 1;
    if (m_lrs->isEnabled()) lrs = int(m_lrs->text().split(QLatin1Char(','), Qt::SkipEmptyParts).size());
    m_count->setText(tr("%1 cells (%2 variant(s) × %3 LR(s) × %4 seed(s))")
                         .arg(std::max(variants, 1) * lrs * m_seeds->value())
                         .arg(variants)
                         .arg(lrs)
                         .arg(m_seeds->value()));
}

void NewSweepDialog::folderChanged() {
    const QString dir = folder();
    m_resumeButton->setVisible(false);
    m_existing->clear();
    if (!isSweepFolder(dir)) return;
    try {
        const auto data = readSweepFolder(dir);
        const QString holder = sweepLockHolder(dir);
        m_existing->setText(
            tr("This folder holds the sweep “%1”: %2 of %3 cells done%4.")
                .arg(QString::fromStdString(data->spec.name))
                .arg(data->done())
                .arg(data->total())
                .arg(holder.isEmpty() ? QString() : tr(", being trained now (%1)").arg(holder)));
        m_resumeButton->setVisible(!data->allDone() && holder.isEmpty());
    } catch (const std::exception& e) {
        m_existing->setText(
            tr("This folder holds a sweep that cannot be read: %1").arg(QString::fromUtf8(e.what())));
    }
}

void NewSweepDialog::startNew() {
    SweepRequest r;
    r.preset = m_preset->currentData().toString().toStdString();
    for (int i = 0; i < m_variants->count(); ++i)
        if (m_variants->item(i)->checkState() == Qt::Checked) r.variants << m_variants->item(i)->text();
    if (r.variants.isEmpty() && m_variants->count() > 0) {
        m_message->setText(tr("Tick at least one variant."));
        return;
    }
    r.seeds = m_seeds->value();
    r.steps = m_steps->value();
    r.overlay = m_overlay;
    try {
        if (m_lrs->isEnabled()) r.lrs = parseLrList(m_lrs->text());
        m_spec = buildSweepSpec(r);
    } catch (const std::exception& e) {
        m_message->setText(QString::fromUtf8(e.what()));
        return;
    }
    if (folder().isEmpty()) {
        m_message->setText(tr("Choose an output folder."));
        return;
    }
    m_resume = false;
    accept();
}

void NewSweepDialog::resume() {
    try {
        m_spec = readSweepManifest(folder().toStdString());
    } catch (const std::exception& e) {
        m_message->setText(QString::fromUtf8(e.what()));
        return;
    }
    m_resume = true;
    accept();
}

} // namespace attnscope::gui
