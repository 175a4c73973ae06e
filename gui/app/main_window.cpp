#include "gui/app/main_window.h"

#include "core/store/run_file.h"
#include "gui/app/appearance.h"
#include "gui/app/help_menu.h"
#include "gui/app/model_import.h"
#include "gui/app/new_run_panel.h"
#include "gui/app/run_actions.h"
#include "gui/app/run_status_widget.h"
#include "gui/app/runs_panel.h"
#include "gui/app/workspace.h"
#include "gui/attention/attention_panel.h"
#include "gui/compare/event_list.h"
#include "gui/compare/runs_table_page.h"
#include "gui/inspect/inspect_controller.h"
#include "gui/inspect/provenance_panel.h"
#include "gui/lessons/lessons_controller.h"
#include "gui/lessons/lessons_panel.h"
#include "gui/probe/probe_text_panel.h"
#include "gui/roles/head_roles_view.h"
#include "gui/session/run_loader.h"
#include "gui/session/run_registry.h"
#include "gui/session/sample_runs.h"
#include "gui/session/session_manager.h"
#include "gui/session/snapshot_map_cache.h"
#include "gui/sweeps/sweeps_controller.h"
#include "gui/views/chart_controls.h"
#include "gui/views/chart_settings.h"
#include "gui/views/entropy_view.h"
#include "gui/views/extrapolation_view.h"
#include "gui/views/extreme_tokens_view.h"
#include "gui/views/logit_view.h"
#include "gui/views/sinks_view.h"
#include "gui/views/training_view.h"
#include "gui/views/value_residual_view.h"
#include "gui/widgets/page_switcher.h"
#include "gui/widgets/step_timeline.h"

#include <QApplication>
#include <QCloseEvent>
#include <QCoreApplication>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QGuiApplication>
#include <QInputDialog>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QScreen>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>
#include <QVBoxLayout>
#include <exception>

namespace attnscope::gui {

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent), m_registry(new RunRegistry(this)),
      m_sessions(new SessionManager(*m_registry, this)), m_chartSettings(new ChartSettings(this)) {
    setWindowTitle(tr("AttnScope — attention dynamics lab"));
    m_appearance = new Appearance(this); // before any widget: the theme and text size they are built with
    setDockOptions(QMainWindow::AnimatedDocks | QMainWindow::AllowTabbedDocks);
    // The timeline spans the whole width, so its controls fit a 1280-pixel screen beside both side docks.
    setCorner(Qt::BottomLeftCorner, Qt::BottomDockWidgetArea);
    setCorner(Qt::BottomRightCorner, Qt::BottomDockWidgetArea);

    auto* central = new QWidget(this);
    auto* centralLayout = new QVBoxLayout(central);
    centralLayout->setContentsMargins(0, 0, 0, 0);
    centralLayout->setSpacing(0);
    centralLayout->addWidget(new ChartControls(*m_chartSettings, central));
    m_tabs = new QTabWidget(central);
    m_tabs->setDocumentMode(true);
    // A narrow window first shortens the titles (full title in the tooltip); only when even the shortened
    // titles do not fit (1280 px in presentation mode) do scroll arrows appear, rather than the tabs
    // widening the window past the screen.
    m_tabs->setUsesScrollButtons(true);
    m_tabs->setElideMode(Qt::ElideRight);
    centralLayout->addWidget(m_tabs, 1);
    m_pages = new PageSwitcher(*m_tabs, this);
    setCentralWidget(central);
    // The timeline exists before the pages: the probe page reads its step.
    m_timeline = new StepTimeline(this);

    buildPages();
    buildDocks();
    m_status = new RunStatusWidget(*m_registry, this);
    statusBar()->addPermanentWidget(m_status);

    connect(m_runs, &RunsPanel::openRequested, this, &MainWindow::openDialog);
    connect(m_runs, &RunsPanel::newRunRequested, this, &MainWindow::showNewRun);
    m_actions = new RunActions(*m_registry, *m_sessions, this);
    connect(m_actions, &RunActions::message, this,
            [this](const QString& text) { statusBar()->showMessage(text, 8000); });
    connect(m_runs, &RunsPanel::contextMenuRequested, m_actions, &RunActions::showMenu);
    connect(m_runsTable, &RunsTablePage::contextMenuRequested, m_actions, &RunActions::showMenu);
    connect(m_registry, &RunRegistry::runAdded, m_actions, &RunActions::applyRemembered);
    connect(m_events, &EventList::stepPicked, m_timeline, &StepTimeline::setStep);
    confirmQuit = [this](int training) {
        QMessageBox box(QMessageBox::Question, tr("Runs are training"),
                        tr("%n run(s) are still training.", nullptr, training), QMessageBox::NoButton, this);
        box.setInformativeText(tr("Stop them and quit? Each run keeps its file up to its last step and can "
                                  "be continued later (right-click it › Continue)."));
        QPushButton* stop = box.addButton(tr("Stop and keep"), QMessageBox::AcceptRole);
        box.addButton(QMessageBox::Cancel);
        box.setDefaultButton(stop);
        box.exec();
        return box.clickedButton() == stop;
    };
    connect(m_sessions, &SessionManager::recordingProblem, this, [this](int id, const QString& message) {
        const RunData* run = m_registry->find(id);
        statusBar()->showMessage(
            tr("Run “%1” is not being saved: %2").arg(run ? run->name : QString(), message));
    });
    connect(m_sessions, &SessionManager::sessionFinished, this, [this](int id) {
        if (const RunData* run = m_registry->find(id))
            statusBar()->showMessage(tr("Run “%1”: %2").arg(run->name, run->statusText()), 8000);
    });

    // Open Recent, Samples, drag and drop, live follow, the step timeline and figure export.
    InspectPages pages;
    pages.tabs = m_tabs;
    pages.training = m_training;
    pages.entropy = m_entropy;
    pages.logits = m_logits;
    pages.sinks = m_sinks;
    pages.attention = m_attention;
    pages.probe = m_probe;
    pages.extremeTokens = m_extremeTokens;
    pages.extrapolation = m_extrapolation;
    pages.valueResidual = m_valueResidual;
    pages.timeline = m_timeline;
    pages.curveViews = {m_training, m_entropy, m_logits, m_sinks, m_extremeTokens, m_valueResidual, m_roles};
    m_inspect = new InspectController(*this, *m_registry, pages,
                                      [this](const QString& path) { return openRunFile(path); });
    m_sweeps = new SweepsController(
        *m_registry, *m_pages, [this](const QString& path) { return openRunFile(path); }, this);
    connect(m_sweeps, &SweepsController::message, this,
            [this](const QString& text) { statusBar()->showMessage(text, 8000); });
    // The lessons arrange these; they never see the window.
    auto open = [this](const QString& path, QString* error) { return openRunFile(path, error); };
    const LessonStage stage{*m_registry, *m_sessions,  *m_pages, *m_timeline,
                            *m_entropy,  *m_attention, m_sweeps, open};
    m_lessons = new LessonsController(stage, *this);
    addDockWidget(Qt::RightDockWidgetArea, m_lessons->dock());
    tabifyDockWidget(m_newRunDock, m_lessons->dock());
    buildMenus();
    QSettings settings;
    const QRect screen = QGuiApplication::primaryScreen()
                             ? QGuiApplication::primaryScreen()->availableGeometry()
                             : QRect(0, 0, 1600, 1000);
    if (!restoreGeometry(settings.value("window/geometry").toByteArray()))
        resize(std::min(1600, screen.width()), std::min(1000, screen.height()));
    else
        fitInto(screen); // saved on a larger screen (or another monitor): never larger than this one
    if (!restoreState(settings.value("window/state").toByteArray()))
        resizeDocks({m_runsDock, m_newRunDock}, {290, 390}, Qt::Horizontal);
}

void MainWindow::fitInto(const QRect& screen) {
    if (isMaximized() || isFullScreen()) return; // the window system fits those itself
    const QSize size(std::min(width(), screen.width()), std::min(height(), screen.height()));
    if (size != this->size()) resize(size);
    QPoint at = pos();
    at.setX(std::clamp(at.x(), screen.left(), std::max(screen.left(), screen.right() + 1 - size.width())));
    at.setY(std::clamp(at.y(), screen.top(), std::max(screen.top(), screen.bottom() + 1 - size.height())));
    if (at != pos()) move(at);
}

void MainWindow::addPage(QWidget* page, const QString& title, const QString& key) {
    // Pages lay out in whatever room is left beside the docks: with this minimum the window fits a
    // 1280×720 screen (tests/tst_gui_compare).
    page->setMinimumSize(360, 300);
    m_pages->addPage(page, title, key);
    m_tabs->setTabToolTip(m_tabs->indexOf(page), title);
}

QDockWidget* MainWindow::addDock(QWidget* content, const QString& title, const QString& objectName,
                                 Qt::DockWidgetArea area) {
    auto* dock = new QDockWidget(title, this);
    dock->setObjectName(objectName);
    dock->setWidget(content);
    addDockWidget(area, dock);
    if (m_viewMenu) m_viewMenu->addAction(dock->toggleViewAction());
    return dock;
}

void MainWindow::buildPages() {
    m_training = new TrainingView(*m_registry, *m_chartSettings, m_tabs);
    m_entropy = new EntropyView(*m_registry, *m_chartSettings, m_tabs);
    m_logits = new LogitView(*m_registry, *m_chartSettings, m_tabs);
    m_sinks = new SinksView(*m_registry, *m_chartSettings, m_tabs);
    m_attention = new AttentionPanel(*m_registry, m_tabs);
    m_probe = new ProbeTextPanel(*m_registry, *m_timeline, m_tabs);
    addPage(m_training, tr("Training"), QStringLiteral("training"));
    addPage(m_entropy, tr("Entropy"), QStringLiteral("entropy"));
    addPage(m_logits, tr("Logit growth"), QStringLiteral("logits"));
    addPage(m_sinks, tr("Sinks"), QStringLiteral("sinks"));
    // Views the lessons need: loss against evaluation length, and value-residual effects.
    m_extremeTokens = new ExtremeTokensView(*m_registry, *m_chartSettings, m_tabs);
    connect(m_timeline, &StepTimeline::stepChanged, m_extremeTokens, &ExtremeTokensView::showStep);
    m_extrapolation = new ExtrapolationView(*m_registry, m_tabs);
    m_valueResidual = new ValueResidualView(*m_registry, *m_chartSettings, m_tabs);
    addPage(m_extremeTokens, tr("Extreme tokens"), QStringLiteral("extreme-tokens"));
    addPage(m_extrapolation, tr("Extrapolation"), QStringLiteral("extrapolation"));
    addPage(m_valueResidual, tr("Value residual"), QStringLiteral("value-residual"));
    m_roles = new HeadRolesView(*m_registry, *m_chartSettings, m_tabs);
    connect(m_timeline, &StepTimeline::stepChanged, m_roles, &HeadRolesView::showStep);
    connect(m_roles, &HeadRolesView::stepPicked, m_timeline, &StepTimeline::setStep);
    addPage(m_roles, tr("Head roles"), QStringLiteral("roles"));
    addPage(m_attention, tr("Attention maps"), QStringLiteral("attention"));
    addPage(m_probe, tr("Probe text"), QStringLiteral("probe"));
    m_runsTable = new RunsTablePage(*m_registry, m_tabs);
    addPage(m_runsTable, tr("Runs table"), QStringLiteral("runs-table"));
}

void MainWindow::buildDocks() {
    m_runs = new RunsPanel(*m_registry, *m_sessions, this);
    m_runsDock = addDock(m_runs, tr("Runs"), QStringLiteral("runsDock"), Qt::LeftDockWidgetArea);
    m_newRun = new NewRunPanel(*m_sessions, this);
    m_newRunDock = addDock(m_newRun, tr("New run"), QStringLiteral("newRunDock"), Qt::RightDockWidgetArea);
    m_timelineDock =
        addDock(m_timeline, tr("Timeline"), QStringLiteral("timelineDock"), Qt::BottomDockWidgetArea);
    m_timelineDock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetClosable);
    m_provenanceDock = addDock(new ProvenancePanel(*m_registry, this), tr("Provenance"),
                               QStringLiteral("provenanceDock"), Qt::RightDockWidgetArea);
    m_events = new EventList(*m_registry, this);
    m_eventsDock = addDock(m_events, tr("Events"), QStringLiteral("eventsDock"), Qt::LeftDockWidgetArea);
    // A tab beside the New-run panel: both are side panels, rarely needed at the same time.
    tabifyDockWidget(m_newRunDock, m_provenanceDock);
    m_newRunDock->raise();
}

MainWindow::~MainWindow() {
    m_sessions->stopAll();
}

void MainWindow::buildMenus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&New run…"), QKeySequence::New, this, &MainWindow::showNewRun);
    file->addAction(tr("&Open run…"), QKeySequence::Open, this, &MainWindow::openDialog);
    file->addAction(tr("Open &model…"), this, &MainWindow::openModelDialog);
    QAction* quitSeparator = file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);
    m_sweeps->addFileActions(*file, quitSeparator);
    m_inspect->addFileActions(file, quitSeparator);
    m_viewMenu = menuBar()->addMenu(tr("&View"));
    for (QDockWidget* dock : findChildren<QDockWidget*>(Qt::FindDirectChildrenOnly))
        m_viewMenu->addAction(dock->toggleViewAction());
    m_appearance->addActions(m_viewMenu);
    m_viewMenu->addSeparator();
    m_viewMenu->addAction(tr("Memory for attention maps…"), this, [this] {
        SnapshotMapCache& cache = m_registry->mapCache();
        bool ok = false;
        const int megabytes = QInputDialog::getInt(this, tr("Memory for attention maps"),
                                                   tr("Large runs keep only their metrics in memory and read "
                                                      "the maps of the step on screen from the "
                                                      "file. Recently viewed maps are kept up to this many "
                                                      "megabytes (a 12-layer, 12-head snapshot of "
                                                      "1024 tokens takes 600 MB):"),
                                                   cache.budgetMegabytes(), 64, 1 << 20, 64, &ok);
        if (ok) cache.setBudgetMegabytes(megabytes);
    });
    menuBar()->addMenu(m_lessons->menu());
    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(m_lessons->menu()->menuAction());
    fillHelpMenu(*this, help);
}

void MainWindow::showNewRun() {
    m_newRunDock->show();
    m_newRunDock->raise();
}

void MainWindow::openDialog() {
    QSettings settings;
    const QString dir =
        settings.value("window/lastOpenDir", SessionManager::defaultRunDirectory()).toString();
    const QStringList paths = QFileDialog::getOpenFileNames(this, tr("Open runs"), dir,
                                                            tr("AttnScope runs (*.attnrun);;All files (*)"));
    for (const QString& path : paths) {
        settings.setValue("window/lastOpenDir", QFileInfo(path).absolutePath());
        openRunFile(path);
    }
}

void MainWindow::openModelDialog() {
    if (!m_modelImport) {
        m_modelImport = new ModelImport(this);
        connect(m_modelImport, &ModelImport::finished, this,
                [this](const QString& path, const QString& error) {
                    if (!error.isEmpty()) {
                        statusBar()->clearMessage();
                        QMessageBox::warning(this, tr("Cannot open model"), error);
                        return;
                    }
                    if (openRunFile(path)) m_tabs->setCurrentWidget(m_attention);
                });
    }
    QSettings settings;
    const QString folder = QFileDialog::getExistingDirectory(
        this, tr("Open a Hugging Face model folder (config.json + model.safetensors)"),
        settings.value("window/lastModelDir", QDir::homePath()).toString());
    if (folder.isEmpty()) return;
    settings.setValue("window/lastModelDir", QFileInfo(folder).absolutePath());
    if (!m_modelImport->start(folder)) {
        QMessageBox::information(this, tr("Open model"),
                                 tr("Another model is being read; try again when it is open."));
        return;
    }
    statusBar()->showMessage(tr("Reading %1 and probing it…").arg(QDir::toNativeSeparators(folder)));
}

int MainWindow::openRunFile(const QString& path, QString* error) {
    if (m_sweeps && m_sweeps->openIfSweep(path)) {
        if (error) error->clear();
        return 0;
    }
    try {
        RunData run = loadRunFile(path);
        const int id = m_registry->add(std::move(run));
        statusBar()->showMessage(tr("Opened %1").arg(QDir::toNativeSeparators(path)), 5000);
        return id;
    } catch (const std::exception& e) {
        const QString message = QString::fromStdString(e.what());
        if (error)
            *error = message;
        else
            QMessageBox::warning(this, tr("Cannot open run"), message);
        return 0;
    }
}

void MainWindow::openStartup(const QStringList& paths) {
    Workspace::restoreColors(*m_registry);
    if (paths.isEmpty() && !Workspace::saved().empty()) {
        const QStringList problems = Workspace::restore(*m_registry, [this](const QString& path) {
            QString error;
            return openRunFile(path, &error);
        });
        if (!problems.isEmpty()) statusBar()->showMessage(problems.join(QStringLiteral("; ")), 10000);
        m_tabs->setCurrentIndex(std::clamp(Workspace::savedPage(), 0, m_tabs->count() - 1));
        if (!m_registry->runs().empty()) {
            showNewRun();
            m_lessons->showStartPageOnFirstStart();
            return;
        }
    }
    if (paths.isEmpty()) {
        // A broken sample must not greet the user with a dialog; the status bar is enough.
        const QStringList samples = sampleRunFiles();
        QString error;
        if (!samples.isEmpty() && !openRunFile(samples.first(), &error))
            statusBar()->showMessage(error, 8000);
    }
    for (const QString& path : paths) openRunFile(path);
    showNewRun();
    m_lessons->showStartPageOnFirstStart(); // a newcomer sees the lessons first
}

void MainWindow::saveWorkspace() const {
    Workspace::save(*m_registry, m_tabs);
}

void MainWindow::closeEvent(QCloseEvent* event) {
    if (const int training = m_sessions->activeCount(); training > 0 && confirmQuit && !confirmQuit(training))
        return event->ignore();
    saveWorkspace(); // before the runs are stopped: what was open, as it was shown
    // Stop every run cleanly: each trainer finishes its step, the recorders write the final status.
    if (m_sessions->trainingCount() > 0) {
        statusBar()->showMessage(tr("Stopping runs and saving their files…"));
        QApplication::setOverrideCursor(Qt::WaitCursor);
        m_sessions->stopAll();
        QApplication::restoreOverrideCursor();
    }
    m_sessions->stopAll(); // also paused sessions
    QSettings settings;
    settings.setValue("window/geometry", saveGeometry());
    settings.setValue("window/state", saveState());
    event->accept();
}

} // namespace attnscope::gui
