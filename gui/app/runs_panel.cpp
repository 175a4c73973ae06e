#include "gui/app/runs_panel.h"

#include "gui/app/badge_delegate.h"
#include "gui/app/run_list_model.h"
#include "gui/session/run_registry.h"
#include "gui/session/session_manager.h"
#include "gui/session/training_session.h"

#include <QColorDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QPushButton>
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
    m_view->setUniformRowHeights(true);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setItemDelegateForColumn(RunListModel::MechanismsColumn, new BadgeDelegate(m_view));
    m_view->header()->setStretchLastSection(true);
    m_view->header()->setSectionResizeMode(RunListModel::ColorColumn, QHeaderView::Fixed);
    m_view->header()->resizeSection(RunListModel::ColorColumn, 26);
    m_view->header()->resizeSection(RunListModel::NameColumn, 150);
    m_view->header()->resizeSection(RunListModel::StatusColumn, 130);
    layout->addWidget(m_view, 1);

    auto* buttons = new QHBoxLayout;
    m_new = new QPushButton(tr("New…"), this);
    m_open = new QPushButton(tr("Open…"), this);
    m_pause = new QPushButton(tr("Pause"), this);
    m_pause->setObjectName("pauseRun");
    m_stop = new QPushButton(tr("Stop"), this);
    m_stop->setObjectName("stopRun");
    m_close = new QPushButton(tr("Close"), this);
    m_close->setObjectName("closeRun");
    m_close->setToolTip(tr("Remove the run from the list (a live run is stopped first; its file is kept)"));
    for (QPushButton* b : {m_new, m_open, m_pause, m_stop, m_close}) buttons->addWidget(b);
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
    connect(&registry, &RunRegistry::selectionChanged, this, &RunsPanel::syncSelectionFromRegistry);
    connect(&registry, &RunRegistry::statusChanged, this, &RunsPanel::updateButtons);
    connect(&registry, &RunRegistry::runAdded, this, &RunsPanel::syncSelectionFromRegistry);
    connect(&registry, &RunRegistry::runRemoved, this, &RunsPanel::updateButtons);
    connect(m_pause, &QPushButton::clicked, this, &RunsPanel::pauseOrResume);
    connect(m_stop, &QPushButton::clicked, this, [this] { m_sessions.stop(m_registry.selectedId()); });
    connect(m_close, &QPushButton::clicked, this, [this] { m_sessions.close(m_registry.selectedId()); });
    connect(m_open, &QPushButton::clicked, this, &RunsPanel::openRequested);
    connect(m_new, &QPushButton::clicked, this, &RunsPanel::newRunRequested);
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
    const bool active = session && !session->hasFinished();
    m_pause->setEnabled(active);
    m_pause->setText(run && run->status == RunStatus::Paused ? tr("Resume") : tr("Pause"));
    m_stop->setEnabled(active);
    m_close->setEnabled(run != nullptr);
}

} // namespace attnscope::gui
