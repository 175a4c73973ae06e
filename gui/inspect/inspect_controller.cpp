#include "gui/inspect/inspect_controller.h"

#include "core/store/run_file.h"
#include "core/store/run_reader.h"
#include "gui/attention/attention_grid_view.h"
#include "gui/attention/attention_heatmap.h"
#include "gui/attention/attention_panel.h"
#include "gui/export/difference_picker.h"
#include "gui/export/export_dialog.h"
#include "gui/inspect/saved_notice.h"
#include "gui/probe/probe_result_view.h"
#include "gui/probe/probe_text_panel.h"
#include "gui/session/live_follower.h"
#include "gui/session/run_registry.h"
#include "gui/session/sample_runs.h"
#include "gui/views/curve_chart.h"
#include "gui/views/entropy_view.h"
#include "gui/views/logit_view.h"
#include "gui/views/sinks_view.h"
#include "gui/views/training_view.h"
#include "gui/widgets/step_timeline.h"

#include <QCoreApplication>
#include <QDir>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QMainWindow>
#include <QMenu>
#include <QMimeData>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>
#include <cmath>
#include <qcustomplot.h>

namespace attnscope::gui {

namespace {
constexpr int kMaxRecent = 9; // Ctrl+1…9
}

InspectController::InspectController(QMainWindow& window, RunRegistry& registry, const InspectPages& pages,
                                     std::function<int(const QString&)> openFile)
    : QObject(&window), m_window(window), m_registry(registry), m_pages(pages),
      m_openFile(std::move(openFile)) {
    m_saved = new SavedNotice(&window);
    window.statusBar()->addWidget(m_saved);
    window.setAcceptDrops(true);
    window.installEventFilter(this);

    RunRegistry& reg = m_registry;
    StepTimeline* timeline = m_pages.timeline;
    connect(&reg, &RunRegistry::selectionChanged, this, [this] {
        m_pages.timeline->setEventNote({});
        syncTimeline();
    });
    connect(&reg, &RunRegistry::pinChanged, this, [this](int id) {
        if (id == m_registry.selectedId()) syncPin();
    });
    connect(timeline, &StepTimeline::pinRequested, this,
            [this](int step) { m_registry.setPinnedStep(m_registry.selectedId(), step); });
    connect(timeline, &StepTimeline::clearPinRequested, this,
            [this] { m_registry.setPinnedStep(m_registry.selectedId(), std::nullopt); });
    connect(&reg, &RunRegistry::dataAppended, this, [this](int id) {
        if (id == m_registry.selectedId()) syncTimeline();
    });
    connect(&reg, &RunRegistry::runRemoved, this, [this](int id) {
        if (auto it = m_followers.find(id); it != m_followers.end())
            it->second->deleteLater(), m_followers.erase(it);
    });
    connect(&reg, &RunRegistry::runAdded, this, &InspectController::runAdded);
    connect(timeline, &StepTimeline::stepChanged, this, &InspectController::showStep);
    connect(timeline, &StepTimeline::eventReached, this, &InspectController::announceEvent);
    // The attention tab's own slider is a second handle on the same timeline.
    connect(m_pages.attention, &AttentionPanel::stepPicked, timeline, &StepTimeline::setStep);
    connect(m_pages.sinks, &SinksView::stepPicked, timeline, &StepTimeline::setStep);
    syncTimeline();
}

void InspectController::showMessage(const QString& text, int ms) {
    m_window.statusBar()->showMessage(text, ms);
}

void InspectController::addFileActions(QMenu* file, QAction* before) {
    m_recent = new QMenu(tr("Open &Recent"), file);
    file->insertMenu(before, m_recent);
    QMenu* samples = new QMenu(tr("&Samples"), file);
    for (const QString& path : sampleRunFiles()) {
        QString description;
        try {
            description = QString::fromStdString(RunReader(path.toStdString()).header().description);
        } catch (const std::exception& e) {
            description = QString::fromStdString(e.what());
        }
        QAction* a =
            samples->addAction(QFileInfo(path).completeBaseName(), this, [this, path] { open(path); });
        a->setToolTip(description);
        a->setStatusTip(description);
    }
    samples->setToolTipsVisible(true);
    samples->setEnabled(!samples->isEmpty());
    file->insertMenu(before, samples);
    QAction* exportAction = new QAction(tr("&Export figure…"), file);
    exportAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E));
    connect(exportAction, &QAction::triggered, this, &InspectController::exportFigure);
    file->insertSeparator(before);
    file->insertAction(before, exportAction);
    rebuildRecentMenu();
}

int InspectController::open(const QString& path) {
    return m_openFile(path);
}

void InspectController::runAdded(int id) {
    // Every way of opening a file (File > Open, command line, drop, recent, samples) lands here.
    const RunData* run = m_registry.find(id);
    if (!run || run->filePath.isEmpty()) return;
    rememberRecent(QFileInfo(run->filePath).absoluteFilePath()); // runs trained in the app too
    if (run->live) return;                                       // written by this app: nothing to follow
    if (!LiveFollower::isBeingWritten(run->filePath)) return;
    try {
        m_followers[id] = new LiveFollower(m_registry, id, run->filePath, this);
        showMessage(tr("Following %1 while it is being written").arg(run->filePath), 5000);
    } catch (const std::exception&) {
        // Could not reopen for polling: the loaded state stays, just not live.
    }
}

LiveFollower* InspectController::follower(int runId) const {
    const auto it = m_followers.find(runId);
    return it == m_followers.end() ? nullptr : it->second;
}

void InspectController::rememberRecent(const QString& path) {
    QSettings settings;
    QStringList recent = settings.value("recentFiles").toStringList();
    recent.removeAll(path);
    recent.prepend(path);
    while (recent.size() > kMaxRecent) recent.removeLast();
    settings.setValue("recentFiles", recent);
    rebuildRecentMenu();
}

void InspectController::rebuildRecentMenu() {
    if (!m_recent) return;
    m_recent->clear();
    const QStringList recent = QSettings().value("recentFiles").toStringList();
    for (int i = 0; i < recent.size(); ++i) {
        const QString path = recent[i];
        QAction* a = m_recent->addAction(QStringLiteral("&%1 %2").arg(i + 1).arg(QFileInfo(path).fileName()),
                                         this, [this, path] { open(path); });
        a->setShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + i)));
        a->setStatusTip(QDir::toNativeSeparators(path));
    }
    m_recent->setEnabled(!recent.isEmpty());
}

bool InspectController::eventFilter(QObject* watched, QEvent* event) {
    if (watched == &m_window && event->type() == QEvent::DragEnter) {
        auto* e = static_cast<QDragEnterEvent*>(event);
        for (const QUrl& url : e->mimeData()->urls())
            if (url.isLocalFile() && (url.toLocalFile().endsWith(QLatin1String(kRunFileExtension)) ||
                                      QFileInfo::exists(url.toLocalFile() + QStringLiteral("/sweep.json")))) {
                e->acceptProposedAction();
                return true;
            }
    } else if (watched == &m_window && event->type() == QEvent::Drop) {
        auto* e = static_cast<QDropEvent*>(event);
        for (const QUrl& url : e->mimeData()->urls())
            if (url.isLocalFile()) open(url.toLocalFile());
        e->acceptProposedAction();
        return true;
    }
    return QObject::eventFilter(watched, event);
}

void InspectController::syncTimeline() {
    const RunData* run = m_registry.selected();
    std::vector<int> steps, events;
    if (run) {
        for (const SnapshotPtr& s : run->snapshots) steps.push_back(s->step);
        for (const Event& e : run->events) events.push_back(e.step);
    }
    m_pages.timeline->setSteps(std::move(steps), std::move(events));
    syncPin();
}

void InspectController::announceEvent(int eventStep) {
    const RunData* run = m_registry.selected();
    if (!run) return;
    QString text = tr("No event after step %1").arg(m_pages.timeline->step());
    if (eventStep >= 0) {
        QStringList what;
        for (const Event& e : run->events)
            if (e.step == eventStep)
                what << QStringLiteral("%1: %2").arg(QString::fromStdString(e.kindName()),
                                                     QString::fromStdString(e.message));
        text = tr("Event at step %1 — %2").arg(eventStep).arg(what.join(QStringLiteral("; ")));
    }
    m_pages.timeline->setEventNote(text);
    showMessage(text, 8000);
}

void InspectController::syncPin() {
    const RunData* run = m_registry.selected();
    m_pages.timeline->setPin(run ? run->pinnedStep : std::nullopt);
    updateCursors(m_pages.timeline->step());
}

void InspectController::showStep(int step) {
    m_pages.attention->showStep(step);
    m_pages.sinks->showStep(step);
    updateCursors(step);
}

void InspectController::updateCursors(int step) {
    std::vector<CurveChart*> charts;
    for (RunView* v : m_pages.curveViews)
        for (CurveChart* c : v->stepCharts()) charts.push_back(c);
    m_cursors.show(charts, step, m_pages.timeline->pin());
}

void InspectController::exportFigure() {
    const std::unique_ptr<ExportDialog> dialog = exportDialog();
    if (!dialog) return showMessage(tr("Select a run to export"), 5000);
    if (dialog->exec() == QDialog::Accepted) announceSaved(dialog->writtenFiles());
}

void InspectController::announceSaved(const QStringList& files) {
    m_window.statusBar()->clearMessage();
    m_saved->show(files);
}

std::unique_ptr<ExportDialog> InspectController::exportDialog() {
    const QWidget* tab = m_pages.tabs->currentWidget();
    if (tab == m_pages.probe && m_pages.probe->result()->hasResult())
        if (const RunData* probed = m_registry.find(m_pages.probe->resultRun()))
            return probeExportDialog(*probed);
    const RunData* run = m_registry.selected();
    if (!run) return nullptr;
    figures::FigureRequest request;
    request.view = tab == m_pages.training  ? figures::FigureView::Training
                   : tab == m_pages.entropy ? figures::FigureView::Entropy
                   : tab == m_pages.logits  ? figures::FigureView::Logits
                   : tab == m_pages.sinks   ? figures::FigureView::Sinks
                                            : figures::FigureView::Attention;
    const AttentionPanel* attention = m_pages.attention;
    request.step = m_pages.timeline->step();
    if (tab == attention && attention->shownSnapshot()) request.step = attention->shownSnapshot()->step;
    if (AttentionGridView* grid = attention->grid()) {
        request.layer = std::max(0, grid->selectedLayer());
        request.head = std::max(0, grid->selectedHead());
    }
    auto dialog = std::make_unique<ExportDialog>(figureInputFrom(*run), request, &m_window);
    for (const auto& other : m_registry.runs())
        if (other->id != run->id) {
            dialog->difference()->addRun(other->id, figureInputFrom(*other));
            dialog->addRun(other->id, figureInputFrom(*other), other->visible);
        }
    // What is on screen, so that the exported figure is the one being looked at: the pinned step A on a
    // curve tab, the difference on the attention tab.
    const DifferenceTarget& shown = attention->difference();
    if (tab != attention && run->pinnedStep)
        dialog->difference()->select(DifferencePicker::kThisRun, *run->pinnedStep);
    else if (shown.run != 0)
        dialog->difference()->select(shown.run == run->id ? DifferencePicker::kThisRun : shown.run,
                                     shown.step);
    return dialog;
}

// The probe on screen as the figure's only snapshot: its maps with the typed text as labels, exported like a
// recorded step (the curves of a probe are single points, so the dialog opens on the attention view).
std::unique_ptr<ExportDialog> InspectController::probeExportDialog(const RunData& run) {
    const SnapshotPtr probe = m_pages.probe->result()->snapshot();
    figures::FigureInput input;
    input.runName = tr("%1 · text probe").arg(run.name); // the title adds the checkpoint's step
    input.snapshots = {probe};
    input.tokenizer = run.tokenizer;
    figures::FigureRequest request;
    request.view = figures::FigureView::Attention;
    request.step = probe->step;
    const AttentionHeatmap* enlarged = m_pages.probe->result()->grid()->heatmap(); // the head shown large
    request.layer = std::max(0, enlarged->layer());
    request.head = std::max(0, enlarged->head());
    return std::make_unique<ExportDialog>(std::move(input), request, &m_window);
}

} // namespace attnscope::gui
