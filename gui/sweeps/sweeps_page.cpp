#include "gui/sweeps/sweeps_page.h"

#include "figures/sweep_figure.h"
#include "gui/sweeps/new_sweep_dialog.h"
#include "gui/sweeps/sweep_charts.h"
#include "gui/sweeps/sweep_curves.h"
#include "gui/sweeps/sweep_follower.h"
#include "gui/sweeps/sweep_job.h"
#include "gui/sweeps/sweep_table_model.h"
#include "gui/widgets/secondary_text.h"

#include <QCheckBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStandardPaths>
#include <QTableView>
#include <QVBoxLayout>
#include <qcustomplot.h>

namespace attnscope::gui {

SweepsPage::SweepsPage(QWidget* parent)
    : QWidget(parent), m_follower(new SweepFollower(this)), m_job(new SweepJob(this)) {
    setObjectName(QStringLiteral("sweepsPage"));
    auto* bar = new QHBoxLayout;
    auto* open = new QPushButton(tr("Open sweep…"), this);
    auto* create = new QPushButton(tr("New sweep…"), this);
    m_resume = new QPushButton(tr("Resume"), this);
    m_resume->setToolTip(tr("Train the cells of this folder that are not done (finished cells are skipped, "
                            "interrupted ones continue from their last checkpoint)"));
    m_stop = new QPushButton(tr("Stop"), this);
    m_stop->setToolTip(tr("Stop the sweep: running cells stop after their current step with a checkpoint; "
                          "Resume continues them"));
    m_progress = new QProgressBar(this);
    m_progress->setMaximumWidth(180);
    m_progress->setTextVisible(false);
    m_progressText = new QLabel(this);
    m_progressText->setObjectName(QStringLiteral("sweepProgress"));
    bar->addWidget(open);
    bar->addWidget(create);
    bar->addWidget(m_resume);
    bar->addWidget(m_stop);
    bar->addWidget(m_progress);
    bar->addWidget(m_progressText, 1);
    m_title = new QLabel(tr("No sweep open."), this);
    m_title->setWordWrap(true);
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_charts = new SweepCharts(this);
    for (QCustomPlot* plot : {m_charts->lossPlot(), m_charts->logitPlot()}) {
        plot->setContextMenuPolicy(Qt::CustomContextMenu);
        connect(plot, &QWidget::customContextMenuRequested, this, [this, plot](const QPoint& pos) {
            QMenu menu(plot);
            QAction* exportAction = menu.addAction(tr("Export figure (PDF, SVG, PNG + data)…"));
            if (menu.exec(plot->mapToGlobal(pos)) == exportAction) promptExportFigure();
        });
    }

    m_model = new SweepTableModel(this);
    m_proxy = new QSortFilterProxyModel(this);
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(Qt::UserRole);
    m_table = new QTableView(this);
    m_table->setObjectName(QStringLiteral("sweepTable"));
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->setVisible(false);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->sortByColumn(-1, Qt::AscendingOrder); // grid order until a header is clicked
    m_perCell = new QCheckBox(tr("One row per cell"), this);
    m_sensitivity = new QLabel(this);
    m_sensitivity->setWordWrap(true);
    m_sensitivity->setObjectName(QStringLiteral("sweepSensitivity"));
    auto* tableBox = new QWidget(this);
    auto* tableLayout = new QVBoxLayout(tableBox);
    tableLayout->setContentsMargins(0, 0, 0, 0);
    auto* tableBar = new QHBoxLayout;
    tableBar->addWidget(m_sensitivity, 1);
    tableBar->addWidget(m_perCell);
    tableLayout->addLayout(tableBar);
    tableLayout->addWidget(m_table, 1);
    auto* hint = new QLabel(tr("Double-click a row to open its run(s) in the other tabs."), tableBox);
    makeSecondaryText(hint);
    tableLayout->addWidget(hint);

    m_table->setMinimumHeight(130);
    auto* split = new QSplitter(Qt::Vertical, this);
    split->setChildrenCollapsible(false);
    split->addWidget(m_charts);
    split->addWidget(tableBox);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    // Charts, captions and table need ≈ 600 × 560 pixels; beside the docks of a 1280 × 720 screen the page is
    // smaller, so it scrolls instead of drawing its parts over each other.
    auto* content = new QWidget(this);
    auto* contentLayout = new QVBoxLayout(content);
    contentLayout->setContentsMargins(0, 0, 0, 0);
    contentLayout->addWidget(m_title);
    contentLayout->addWidget(split, 1);
    auto* scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(content);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(scroll, 1);

    connect(open, &QPushButton::clicked, this, &SweepsPage::openDialog);
    connect(create, &QPushButton::clicked, this, &SweepsPage::newSweep);
    connect(m_resume, &QPushButton::clicked, this, &SweepsPage::resume);
    connect(m_stop, &QPushButton::clicked, this, &SweepsPage::stop);
    connect(m_perCell, &QCheckBox::toggled, m_model, &SweepTableModel::setPerCell);
    connect(m_table, &QTableView::doubleClicked, this, &SweepsPage::activated);
    connect(m_follower, &SweepFollower::loaded, this, &SweepsPage::showData);
    connect(m_follower, &SweepFollower::failed, this, [this](const QString& folder, const QString& error) {
        m_title->setText(tr("Cannot read the sweep in %1: %2").arg(QDir::toNativeSeparators(folder), error));
        emit message(error);
        emit loaded();
    });
    connect(m_job, &SweepJob::progress, this, &SweepsPage::jobProgress);
    connect(m_job, &SweepJob::finished, this, &SweepsPage::jobFinished);
    showProgress();
}

void SweepsPage::resizeEvent(QResizeEvent* event) {
    QWidget::resizeEvent(event);
    m_charts->setStacked(width() < 640); // two 260-pixel charts and their axes do not fit side by side
}

void SweepsPage::openFolder(const QString& folder) {
    m_title->setText(tr("Reading %1…").arg(QDir::toNativeSeparators(folder)));
    m_follower->open(QDir(folder).absolutePath());
}

void SweepsPage::openDialog() {
    QSettings settings;
    const QString dir = QFileDialog::getExistingDirectory(
        this, tr("Open sweep folder"),
        settings.value(QStringLiteral("sweeps/lastDir"), QDir::currentPath()).toString());
    if (dir.isEmpty()) return;
    settings.setValue(QStringLiteral("sweeps/lastDir"), dir);
    if (!isSweepFolder(dir)) {
        QMessageBox::warning(
            this, tr("Not a sweep folder"),
            tr("%1 holds no sweep.json (a folder written by attnscope-cli sweep or New sweep…).")
                .arg(QDir::toNativeSeparators(dir)));
        return;
    }
    openFolder(dir);
}

void SweepsPage::showData(std::shared_ptr<const SweepData> data) {
    m_data = std::move(data);
    const SweepData& d = *m_data;
    const QString source = d.hasRunFiles() ? tr("run files")
                           : d.done() > 0  ? tr("summary_cells.csv (the run files are not in the folder)")
                                           : tr("no results yet");
    m_title->setText(tr("<b>%1</b> — %2<br><i>%3 · read from %4</i>")
                         .arg(QString::fromStdString(d.spec.name).toHtmlEscaped(),
                              QString::fromStdString(d.spec.description).toHtmlEscaped(),
                              QDir::toNativeSeparators(d.folder).toHtmlEscaped(), source));
    m_charts->setData(m_data);
    m_model->setData(m_data);
    const bool lr = d.summary.lrAxis >= 0; // a seeds-only sweep has neither an LR nor a sensitivity
    m_table->setColumnHidden(SweepTableModel::Lr, !lr);
    m_table->setColumnHidden(SweepTableModel::Sensitivity, !lr);
    m_table->resizeColumnsToContents();
    // Re-applied after the resize, which leaves the last column at its content width otherwise.
    m_table->horizontalHeader()->setStretchLastSection(false);
    m_table->horizontalHeader()->setStretchLastSection(true);
    QStringList scores;
    for (const VariantCurve& c : lrCurves(d))
        if (c.sensitivity)
            scores << QStringLiteral("%1 <b>%2</b>")
                          .arg(c.label.toHtmlEscaped(), formatStat(c.sensitivity->sensitivity));
    m_sensitivity->setText(
        scores.isEmpty()
            ? QString()
            : tr("LR sensitivity (lower is more robust): %1").arg(scores.join(QStringLiteral(" · "))));
    showProgress();
    emit loaded();
}

void SweepsPage::showProgress() {
    const bool running = m_job->isRunning() && m_data && m_job->folder() == m_data->folder;
    const QString holder = m_data && !running ? sweepLockHolder(m_data->folder) : QString();
    m_stop->setVisible(m_job->isRunning());
    m_resume->setVisible(m_data && !m_data->allDone() && !m_job->isRunning() && holder.isEmpty());
    m_progress->setVisible(m_data != nullptr);
    if (!m_data) return m_progressText->clear();
    m_progress->setRange(0, std::max(1, m_data->total()));
    m_progress->setValue(m_data->done());
    QString text = tr("%1 of %2 cells done").arg(m_data->done()).arg(m_data->total());
    if (running) {
        const SweepProgress& p = m_job->lastProgress();
        if (p.total > 0) {
            text += tr(" · training here: %1 running, %2 of %3 steps")
                        .arg(p.running)
                        .arg(p.stepsDone)
                        .arg(p.stepsTotal);
            if (p.etaSec >= 0) text += tr(", ETA %1 s").arg(qRound(p.etaSec));
            if (p.failed) text += tr(", %1 failed").arg(p.failed);
        }
    } else if (!holder.isEmpty()) {
        text += tr(" · being trained by another process (%1): following it").arg(holder);
    }
    m_progressText->setText(text);
}

void SweepsPage::newSweep() {
    // Beside the app's runs (…/AttnScope/runs), not in the working folder: a desktop start has none useful.
    const QString base = QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) +
                         QStringLiteral("/AttnScope/sweeps");
    NewSweepDialog dialog(this, base);
    if (m_data && !m_data->allDone()) dialog.folderEdit()->setText(m_data->folder);
    const bool accepted = runDialog ? runDialog(dialog) : dialog.exec() == QDialog::Accepted;
    if (accepted) start(dialog);
}

bool SweepsPage::start(const NewSweepDialog& dialog) {
    QString error;
    if (!m_job->start(dialog.spec(), dialog.folder(), dialog.options(), &error)) {
        QMessageBox::warning(this, tr("Cannot start the sweep"), error);
        return false;
    }
    emit message(dialog.resuming() ? tr("Resuming the sweep in %1").arg(dialog.folder())
                                   : tr("Sweep started in %1").arg(dialog.folder()));
    openFolder(dialog.folder());
    showProgress();
    return true;
}

void SweepsPage::resume() {
    if (!m_data) return;
    QString error;
    SweepOptions options;
    if (!m_job->start(m_data->spec, m_data->folder, options, &error)) {
        QMessageBox::warning(this, tr("Cannot resume the sweep"), error);
        return;
    }
    m_follower->follow();
    showProgress();
}

void SweepsPage::stop() {
    m_job->stop();
    m_progressText->setText(tr("Stopping: each running cell finishes its step and writes a checkpoint…"));
}

void SweepsPage::jobProgress(const SweepProgress&) {
    if (m_data && m_job->folder() == m_data->folder) m_follower->follow();
    showProgress();
}

void SweepsPage::jobFinished(const SweepProgress& p, const QString& error) {
    if (!error.isEmpty()) {
        QMessageBox::warning(this, tr("Sweep"), error);
    } else {
        emit message(
            p.cancelled
                ? tr("Sweep stopped: %1 of %2 cells done (Resume continues it)").arg(p.done).arg(p.total)
                : tr("Sweep finished: %1 of %2 cells done, %3 failed")
                      .arg(p.done)
                      .arg(p.total)
                      .arg(p.failed));
    }
    m_follower->follow();
    showProgress();
}

void SweepsPage::activated(const QModelIndex& proxyIndex) {
    if (!m_data || !proxyIndex.isValid()) return;
    const QModelIndex index = m_proxy->mapToSource(proxyIndex);
    int opened = 0;
    for (int cell : m_model->rowCells(index.row())) {
        const QString path = m_data->runPaths[std::size_t(cell)];
        if (QFileInfo::exists(path)) {
            emit openRunRequested(path);
            ++opened;
        }
    }
    if (!opened)
        emit message(tr("This sweep's run files are not in its folder (only its summary is); rerun it with "
                        "attnscope-cli sweep to get them."));
}

bool SweepsPage::exportFigure(const QString& path, QString* error) {
    if (!m_data || m_data->done() == 0) {
        if (error) *error = tr("Open a sweep with finished cells first.");
        return false;
    }
    figures::FigureOptions options;
    options.widthIn = 7.16; // two columns: five variants and their legend need the width
    options.heightIn = 3.0;
    const figures::ExportResult result = figures::exportLrSensitivity(
        m_data->summary, QString::fromStdString(m_data->spec.name), options, path);
    if (!result.ok && error) *error = result.error;
    return result.ok;
}

void SweepsPage::promptExportFigure() {
    const QString suggested =
        QDir(m_data ? m_data->folder : QDir::homePath()).filePath(QStringLiteral("lr-sensitivity.pdf"));
    const QString path = QFileDialog::getSaveFileName(this, tr("Export LR-sensitivity figure"), suggested,
                                                      tr("Figures (*.pdf *.svg *.png)"));
    if (path.isEmpty()) return;
    QString error;
    if (exportFigure(path, &error))
        emit message(tr("Saved %1 and its data (.csv)").arg(QDir::toNativeSeparators(path)));
    else
        QMessageBox::warning(this, tr("Cannot export the figure"), error);
}

} // namespace attnscope::gui
