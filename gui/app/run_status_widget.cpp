#include "gui/app/run_status_widget.h"

#include "core/run/training_time.h"
#include "gui/session/run_registry.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <cmath>

namespace attnscope::gui {

RunStatusWidget::RunStatusWidget(RunRegistry& registry, QWidget* parent)
    : QWidget(parent), m_registry(registry) {
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(14);
    m_run = new QLabel(this);
    m_step = new QLabel(this);
    m_speed = new QLabel(this);
    m_eta = new QLabel(this);
    m_progress = new QProgressBar(this);
    m_progress->setFixedWidth(180);
    m_progress->setMaximumHeight(16);
    m_progress->setTextVisible(true);
    for (QLabel* l : {m_run, m_step, m_speed, m_eta}) layout->addWidget(l);
    layout->addWidget(m_progress);
    connect(&registry, &RunRegistry::dataAppended, this, &RunStatusWidget::update);
    connect(&registry, &RunRegistry::statusChanged, this, &RunStatusWidget::update);
    connect(&registry, &RunRegistry::appearanceChanged, this, &RunStatusWidget::update);
    connect(&registry, &RunRegistry::selectionChanged, this, [this] { showRun(m_registry.selected()); });
    showRun(nullptr);
}

QString RunStatusWidget::text() const {
    return QStringList{m_run->text(), m_step->text(), m_speed->text(), m_eta->text()}.join(
        QStringLiteral(" | "));
}

QString RunStatusWidget::formatDuration(double seconds) {
    if (!std::isfinite(seconds) || seconds < 0) return QStringLiteral("—");
    const long s = std::lround(seconds);
    if (s >= 3600) return QStringLiteral("%1h %2m").arg(s / 3600).arg((s % 3600) / 60, 2, 10, QChar('0'));
    if (s >= 60) return QStringLiteral("%1m %2s").arg(s / 60).arg(s % 60, 2, 10, QChar('0'));
    return QStringLiteral("%1s").arg(s);
}

void RunStatusWidget::update(int runId) {
    if (runId == m_registry.selectedId()) showRun(m_registry.selected());
}

void RunStatusWidget::showRun(const RunData* run) {
    setVisible(run != nullptr);
    if (!run) return;
    m_run->setText(QStringLiteral("<span style='color:%1'>■</span> <b>%2</b> — %3")
                       .arg(run->color.name(), run->name.toHtmlEscaped(), run->statusText()));
    const int step = run->reachedStep();
    const std::optional<int> total = run->plannedSteps(); // unknown for runs recorded outside the engine
    m_step->setText(total ? tr("step %1 / %2").arg(step).arg(*total) : tr("step %1").arg(step));
    const StepRecord* last = run->steps.empty() ? nullptr : &run->steps.back();
    QString speed =
        last && last->tokensPerSec > 0 ? tr("%1 tok/s").arg(last->tokensPerSec, 0, 'f', 0) : QString();
    // Cores are re-split when runs start or end (SessionManager::rebalance): say why the speed changed.
    if (run->isActive() && run->threads > 0)
        speed += run->threads == 1 ? tr(" · 1 thread") : tr(" · %1 threads").arg(run->threads);
    m_speed->setText(speed);
    // After a Continue or a Fork the ETA uses the latest training stretch only (core/run/training_time.h).
    const TrainingTime time = trainingTime(run->steps);
    if (run->isActive() && total && last && std::isfinite(time.secondsPerStep())) {
        m_eta->setText(tr("ETA %1").arg(formatDuration(time.secondsPerStep() * (*total - step))));
    } else if (last) {
        const bool sessions = time.totalSeconds > time.sessionSeconds;
        m_eta->setText(sessions ? tr("took %1 for its last %2 steps · %3 in all")
                                      .arg(formatDuration(time.sessionSeconds))
                                      .arg(time.sessionSteps)
                                      .arg(formatDuration(time.totalSeconds))
                                : tr("took %1").arg(formatDuration(time.totalSeconds)));
    } else {
        m_eta->clear();
    }
    // Without a planned total the bar measures the steps recorded so far.
    const int bar = std::max(1, total.value_or(step));
    m_progress->setRange(0, bar);
    m_progress->setValue(std::min(step, bar));
}

} // namespace attnscope::gui
