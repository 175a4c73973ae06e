#include "gui/app/runs_panel.h"

#include "gui/app/run_list_model.h"
#include "gui/app/run_name_delegate.h"
#include "gui/session/run_registry.h"
#include "gui/session/session_manager.h"
#include "gui/session/training_session.h"
#include "gui/widgets/themed_icon.h"

#include <QColorDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QStyle>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>

namespace attnscope::gui {

RunsPanel::RunsPanel(RunRegistry& registry, SessionManager& sessions, QWidget* parent)
    : QWidget(parent), m_registry(registry), m_sessions(sessions), m_model(new RunListModel(registry, this)) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    m_view = new QTreeView(this);
    m_view->setObjectName("runList");
    m_view->setModel(m_model);
    m_view->setRootIsDecorated(false);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setUniformRowHeights(false);
    m_view->setItemDelegateForColumn(RunListModel::NameColumn, new RunNameDelegate(m_view));
    // Badges are drawn under the name, so the dock stays narrow; the column remains in the model.
    m_view->setColumnHidden(RunListModel::MechanismsColumn, true);
    m_view->header()->setStretchLastSection(false);
    m_view->header()->setSectionResizeMode(RunListModel::ColorColumn, QHeaderView::Fixed);
    m_view->header()->setSectionResizeMode(RunListModel::NameColumn, QHeaderView::Stretch);
    m_view->header()->setSectionResizeMode(RunListModel::StatusColumn, QHeaderView::ResizeToContents);
    m_view->header()->resizeSection(RunListModel::ColorColumn, 24);
    m_view->setContextMenuPolicy(Qt::CustomContextMenu);
    layout->addWidget(m_view, 1);

    // Compact tool buttons: the dock must stay narrow enough to leave the charts their room.
    auto* buttons = new QHBoxLayout;
    buttons->setSpacing(2);
    auto button = [this](const QString& name, const QString& text, QStyle::StandardPixmap icon,
                         const QString& tip) {
        auto* b = new QToolButton(this);
        b->setObjectName(name);
        b->setText(text);
        // The black glyphs (pause, stop, close) follow the theme; the coloured file icons keep their colours.
        const bool glyph = icon == QStyle::SP_MediaPause || icon == QStyle::SP_MediaStop ||
                           icon == QStyle::SP_DialogCloseButton;
        b->setIcon(glyph ? themedStandardIcon(icon) : style()->standardIcon(icon));
        b->setToolTip(tip);
        b->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
        b->setAutoRaise(true);
        return b;
    };
    m_new =
        button("newRun", tr("New"), QStyle::SP_FileDialogNewFolder, tr("Show the New-run panel (Ctrl+N)"));
    m_open = button("openRun", tr("Open"), QStyle::SP_DialogOpenButton, tr("Open run files (Ctrl+O)"));
    m_pause = button("pauseRun", tr("Pause"), QStyle::SP_MediaPause, tr("Pause or resume the selected run"));
    m_stop = button("stopRun", tr("Stop"), QStyle::SP_MediaStop,
                    tr("Stop: end the selected run after its current step"));
    m_close =
        button("closeRun", tr("Close"), QStyle::SP_DialogCloseButton,
               tr("Close: remove the run from the list (a live run is stopped first; its file is kept)"));
    buttons->addWidget(m_new);
    buttons->addWidget(m_open);
    buttons->addStretch(1);
    // The run's own controls are icons with their names in the tooltip: with text the five buttons alone
    // made the dock too wide for a 1280-px screen beside the charts and the New-run panel.
    for (QToolButton* b : {m_pause, m_stop, m_close}) {
        b->setToolButtonStyle(Qt::ToolButtonIconOnly);
        buttons->addWidget(b);
    }
    layout->addLayout(buttons);

    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex& current) {
                if (current.isValid()) m_registry.setSelected(m_model->runIdAt(current.row()));
            });
    connect(m_view, &QTreeView::clicked, this, [this](const QModelIndex& index) {
        if (index.column() != RunListModel::ColorColumn) return;
        const QColor current = index.data(Qt::EditRole).value<QColor>();
        const QColor chosen = QColorDialog::getColor(current, this, tr("Run colour"));
        if (chosen.isValid()) m_model->setData(index, chosen, Qt::EditRole);
    });
    connect(m_view, &QWidget::customContextMenuRequested, this, [this](const QPoint& pos) {
        const QModelIndex index = m_view->indexAt(pos);
        if (index.isValid())
            emit contextMenuRequested(m_model->runIdAt(index.row()), m_view->viewport()->mapToGlobal(pos));
    });
    connect(&registry, &RunRegistry::selectionChanged, this, &RunsPanel::syncSelectionFromRegistry);
    connect(&registry, &RunRegistry::statusChanged, this, &RunsPanel::updateButtons);
    connect(&registry, &RunRegistry::runAdded, this, &RunsPanel::syncSelectionFromRegistry);
    connect(&registry, &RunRegistry::runRemoved, this, &RunsPanel::updateButtons);
    // The run's final status can arrive before its thread has ended: look again when the session ends.
    connect(&m_sessions, &SessionManager::sessionFinished, this, &RunsPanel::updateButtons);
    connect(m_pause, &QToolButton::clicked, this, &RunsPanel::pauseOrResume);
    connect(m_stop, &QToolButton::clicked, this, [this] { m_sessions.stop(m_registry.selectedId()); });
    connect(m_close, &QToolButton::clicked, this, [this] { m_sessions.close(m_registry.selectedId()); });
    connect(m_open, &QToolButton::clicked, this, &RunsPanel::openRequested);
    connect(m_new, &QToolButton::clicked, this, &RunsPanel::newRunRequested);
    updateButtons();
}

void RunsPanel::pauseOrResume() {
    const RunData* run = m_registry.selected();
    if (!run) return;
    if (run->status == RunStatus::Paused)
        m_sessions.resume(run->id);
    else
        m_sessions.pause(run->id);
    updateButtons();
}

void RunsPanel::syncSelectionFromRegistry() {
    const int row = m_model->rowOf(m_registry.selectedId());
    if (row >= 0 && m_view->currentIndex().row() != row)
        m_view->setCurrentIndex(m_model->index(row, RunListModel::NameColumn));
    updateButtons();
}

void RunsPanel::updateButtons() {
    const RunData* run = m_registry.selected();
    TrainingSession* session = run ? m_sessions.session(run->id) : nullptr;
    const bool ended = run && (run->status == RunStatus::Finished || run->status == RunStatus::Stopped ||
                               run->status == RunStatus::Diverged || run->status == RunStatus::Failed);
    const bool active = session && !session->hasFinished() && !ended;
    m_pause->setEnabled(active);
    const bool paused = run && run->status == RunStatus::Paused;
    m_pause->setText(paused ? tr("Resume") : tr("Pause"));
    m_pause->setToolTip(paused ? tr("Resume: continue the selected run")
                               : tr("Pause: hold the selected run after its current step"));
    m_pause->setIcon(themedStandardIcon(paused ? QStyle::SP_MediaPlay : QStyle::SP_MediaPause));
    m_stop->setEnabled(active);
    m_close->setEnabled(run != nullptr);
}

} // namespace attnscope::gui
