#include "gui/roles/role_timeline.h"

#include "figures/role_chart.h"
#include "gui/roles/role_grid.h"

#include <QHelpEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>
#include <algorithm>

namespace attnscope::gui {

RoleTimeline::RoleTimeline(QWidget* parent) : QWidget(parent) {
    setMinimumSize(240, 120);
    setMouseTracking(true);
}

void RoleTimeline::setHistory(const RoleHistory* history, std::optional<int> phaseStep) {
    m_history = history && !history->steps.empty() ? history : nullptr;
    m_phase = phaseStep;
    update();
}

void RoleTimeline::setCursorStep(std::optional<int> step) {
    m_cursor = step;
    update();
}

void RoleTimeline::setPlaceholder(const QString& text) {
    m_placeholder = text;
    update();
}

void RoleTimeline::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.fillRect(rect(), Qt::white);
    if (!m_history) {
        p.setPen(palette().color(QPalette::PlaceholderText));
        p.drawText(rect(), Qt::AlignCenter | Qt::TextWordWrap, m_placeholder);
        return;
    }
    figures::RoleChartMarks marks;
    marks.cursorStep = m_cursor;
    marks.phaseStep = m_phase;
    p.setRenderHint(QPainter::Antialiasing, false);
    figures::paintRoleChart(p, QRectF(rect()).adjusted(4, 2, -4, -2), *m_history, marks);
}

int RoleTimeline::indexAtX(double x) const {
    if (!m_history) return -1;
    const figures::RoleChartGeometry g =
        figures::roleChartGeometry(QRectF(rect()).adjusted(4, 2, -4, -2), *m_history, {}, font());
    if (x < g.plot.left() || x > g.plot.right()) return -1;
    const double step = g.stepAt(x);
    const auto& steps = m_history->steps;
    const auto it = std::upper_bound(steps.begin(), steps.end(), step);
    return it == steps.begin() ? 0 : int(it - steps.begin()) - 1;
}

QString RoleTimeline::toolTipAt(const QPoint& pos) const {
    if (!m_history) return {};
    const figures::RoleChartGeometry g =
        figures::roleChartGeometry(QRectF(rect()).adjusted(4, 2, -4, -2), *m_history, {}, font());
    const int row = g.rowAt(pos.y()), k = indexAtX(pos.x());
    if (row < 0 || k < 0) return {};
    const HeadRole role = m_history->roles[std::size_t(k)][std::size_t(row)];
    return tr("layer %1 head %2 at step %3: %4\n\n%5")
        .arg(row / m_history->heads)
        .arg(row % m_history->heads)
        .arg(m_history->steps[std::size_t(k)])
        .arg(QString::fromLatin1(toString(role)),
             scoresText(m_history->scores[std::size_t(k)][std::size_t(row)]));
}

bool RoleTimeline::event(QEvent* e) {
    if (e->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(e);
        const QString text = toolTipAt(help->pos());
        if (text.isEmpty())
            QToolTip::hideText();
        else
            QToolTip::showText(help->globalPos(), text, this);
        return true;
    }
    return QWidget::event(e);
}

void RoleTimeline::mousePressEvent(QMouseEvent* e) {
    const int k = indexAtX(e->position().x());
    if (k >= 0 && e->button() == Qt::LeftButton) emit stepPicked(m_history->steps[std::size_t(k)]);
    QWidget::mousePressEvent(e);
}

} // namespace attnscope::gui
