#include "gui/app/main_window.h"

#include "core/store/run_file.h"
#include "gui/app/attention_panel.h"
#include "gui/app/new_run_panel.h"
#include "gui/app/run_status_widget.h"
#include "gui/app/runs_panel.h"
#include "gui/inspect/inspect_controller.h"
#include "gui/lessons/lessons_controller.h"
#include "gui/session/run_loader.h"
#include "gui/session/run_registry.h"
#include "gui/session/session_manager.h"
#include "gui/views/chart_controls.h"
#include "gui/views/chart_settings.h"
#include "gui/views/entropy_view.h"
#include "gui/views/logit_view.h"
#include "gui/views/sinks_view.h"
#include "gui/views/training_view.h"

#include <QApplication>
#include <QCloseEvent>
#include <QCoreApplication>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QGuiApplication>
#include <QMenuBar>
#include <QMessageBox>
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
    setDockOptions(QMainWindow::AnimatedDocks | QMainWindow::AllowTabbedDocks);

    auto* central = new QWidget(this);
    auto* centralLayout = new QVBoxLayout(central);
    centralLayout->setContentsMargins(0, 0, 0, 0);
    centralLayout->setSpacing(0);
    centralLayout->addWidget(new ChartControls(*m_chartSettings, central));
    m_tabs = new QTabWidget(central);
    m_tabs->setDocumentMode(true);
    m_training = new TrainingView(*m_registry, *m_chartSettings, m_tabs);
    m_entropy = new EntropyView(*m_registry, *m_chartSettings, m_tabs);
    m_logits = new LogitView(*m_registry, *m_chartSettings, m_tabs);
    m_sinks = new SinksView(*m_registry, *m_chartSettings, m_tabs);
    m_attention = new AttentionPanel(*m_registry, m_tabs);
    m_tabs->addTab(m_training, tr("Training"));
    m_tabs->addTab(m_entropy, tr("Entropy"));
    m_tabs->addTab(m_logits, tr("Logit growth"));
    m_tabs->addTab(m_sinks, tr("Sinks"));
    m_tabs->addTab(m_attention, tr("Attention maps"));
    centralLayout->addWidget(m_tabs, 1);
    setCentralWidget(central);

    m_runs = new RunsPanel(*m_registry, *m_sessions, this);
    m_runsDock = new QDockWidget(tr("Runs"), this);
    m_runsDock->setObjectName("runsDock");
    m_runsDock->setWidget(m_runs);
    addDockWidget(Qt::LeftDockWidgetArea, m_runsDock);

    m_newRun = new NewRunPanel(*m_sessions, this);
    m_newRunDock = new QDockWidget(tr("New run"), this);
    m_newRunDock->setObjectName("newRunDock");
    m_newRunDock->setWidget(m_newRun);
    m_newRun->setMinimumWidth(330);
    addDockWidget(Qt::RightDockWidgetArea, m_newRunDock);

    m_status = new RunStatusWidget(*m_registry, this);
    statusBar()->addPermanentWidget(m_status);

    connect(m_runs, &RunsPanel::openRequested, this, &MainWindow::openDialog);
    connect(m_runs, &RunsPanel::newRunRequested, this, &MainWindow::showNewRun);
    connect(m_sessions, &SessionManager::recordingProblem, this, [this](int id, const QString& message) {
        const RunData* run = m_registry->find(id);
        statusBar()->showMessage(
            tr("Run “%1” is not being saved: %2").arg(run ? run->name : QString(), message));
    });
    connect(m_sessions, &SessionManager::sessionFinished, this, [this](int id) {
        if (const RunData* run = m_registry->find(id))
            statusBar()->showMessage(tr("Run “%1”: %2").arg(run->name, run->statusText()), 8000);
    });
    for (auto* chartView : std::initializer_list<QWidget*>{m_training, m_entropy, m_logits, m_sinks})
        chartView->setMinimumSize(360, 300);

    buildMenus();
    // Open Recent, Samples, drag and drop, live follow, step timeline and figure export (issue 6).
    new InspectController(*this);
    // Lessons dock and menu, the Extrapolation and Value residual tabs (issue 11).
    m_lessons = new LessonsController(*this);
    QSettings settings;
    if (!restoreGeometry(settings.value("window/geometry").toByteArray())) {
        const QRect screen = QGuiApplication::primaryScreen()
                                 ? QGuiApplication::primaryScreen()->availableGeometry()
                                 : QRect(0, 0, 1600, 1000);
        resize(std::min(1600, screen.width()), std::min(1000, screen.height()));
    }
    if (!restoreState(settings.value("window/state").toByteArray()))
        resizeDocks({m_runsDock, m_newRunDock}, {290, 390}, Qt::Horizontal);
}

MainWindow::~MainWindow() {
    m_sessions->stopAll();
}

void MainWindow::buildMenus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&New run…"), QKeySequence::New, this, &MainWindow::showNewRun);
    file->addAction(tr("&Open run…"), QKeySequence::Open, this, &MainWindow::openDialog);
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);
    QMenu* view = menuBar()->addMenu(tr("&View"));
    view->addAction(m_runsDock->toggleViewAction());
    view->addAction(m_newRunDock->toggleViewAction());
    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About AttnScope"), this, [this] {
        QMessageBox::about(this, tr("About AttnScope"),
                           tr("<b>AttnScope %1</b><p>Train small transformers on the CPU and watch attention "
                              "entropy, logit growth and sinks live; toggle LS-attention, ALiBi, "
                              "ResFormer/SVFormer and σReparam and compare runs.</p>")
                               .arg(QCoreApplication::applicationVersion()));
    });
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

int MainWindow::openRunFile(const QString& path, QString* error) {
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

QStringList MainWindow::sampleRunCandidates() {
    const QString appDir = QCoreApplication::applicationDirPath();
    const QStringList dirs{appDir + "/../share/attnscope/sample_runs", appDir + "/../../sample_runs",
                           appDir + "/../sample_runs", QStringLiteral(ATTNSCOPE_SOURCE_DIR "/sample_runs")};
    for (const QString& d : dirs) {
        QDir dir(d);
        const QStringList files = dir.entryList(
            {QStringLiteral("*") + QString::fromLatin1(kRunFileExtension)}, QDir::Files, QDir::Name);
        if (!files.isEmpty()) return {dir.absoluteFilePath(files.first())};
    }
    return {};
}

void MainWindow::openStartup(const QStringList& paths) {
    if (paths.isEmpty()) {
        // A broken sample must not greet the user with a dialog; the status bar is enough.
        for (const QString& path : sampleRunCandidates()) {
            QString error;
            if (!openRunFile(path, &error)) statusBar()->showMessage(error, 8000);
        }
    }
    for (const QString& path : paths) openRunFile(path);
    showNewRun();
    m_lessons->showStartPageOnFirstStart(); // a newcomer sees the lessons first
}

void MainWindow::closeEvent(QCloseEvent* event) {
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
