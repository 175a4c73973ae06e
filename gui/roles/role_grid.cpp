#include "gui/roles/role_grid.h"

#include "core/probe/head_scores.h"
#include "figures/role_chart.h"

#include <QHelpEvent>
#include <QPainter>
#include <QToolTip>
#include <algorithm>

namespace attnscope::gui {

namespace {
constexpr int kLabelWidth = 30, kHeaderHeight = 18, kGap = 2;
}

float decidingScore(HeadRole role, const RoleScores& s) {
    switch (role) {
    case HeadRole::Induction:
        return s.induction;
    case HeadRole::PreviousToken:
        return s.previousToken;
    case HeadRole::DuplicateToken:
        return s.duplicateToken;
    case HeadRole::Sink:
        return s.sink;
    case HeadRole::Local:
        return s.localMass;
    case HeadRole::Diffuse:
        return s.normEntropy;
    case HeadRole::Mixed:
        return std::max({s.induction, s.previousToken, s.duplicateToken, s.sink, s.localMass});
    }
    return 0;
}

QString scoresText(const RoleScores& s) {
    const auto n = [](float v) { return QString::number(double(v), 'f', 2); };
    return QObject::tr("induction (prefix matching) %1\nprevious-token %2\nduplicate-token %3\n"
                       "first-token (sink) %4\nlocal mass (%5 keys) %6\nmean distance %7 tokens\n"
                       "normalised entropy %8")
        .arg(n(s.induction), n(s.previousToken), n(s.duplicateToken), n(s.sink))
        .arg(kLocalWindow)
        .arg(n(s.localMass), QString::number(double(s.meanDistance), 'f', 1), n(s.normEntropy));
}

RoleGrid::RoleGrid(QWidget* parent) : QWidget(parent) {
    setMinimumSize(160, 100);
    setMouseTracking(true);
}

void RoleGrid::setRoles(int layers, int heads, std::vector<HeadRole> roles, std::vector<RoleScores> scores,
                        int step) {
    m_layers = layers, m_heads = heads, m_step = step;
    m_roles = std::move(roles);
    m_scores = std::move(scores);
    update();
}

void RoleGrid::setPlaceholder(const QString& text) {
    m_placeholder = text;
    update();
}

QRect RoleGrid::cellRect(int layer, int head) const {
    if (m_layers <= 0 || m_heads <= 0) return {};
    const int w = (width() - kLabelWidth) / m_heads, h = (height() - kHeaderHeight) / m_layers;
    return QRect(kLabelWidth + head * w, kHeaderHeight + layer * h, w - kGap, h - kGap);
}

QString RoleGrid::toolTipFor(int layer, int head) const {
    const std::size_t k = std::size_t(layer) * std::size_t(m_heads) + std::size_t(head);
    if (layer < 0 || head < 0 || layer >= m_layers || head >= m_heads || k >= m_roles.size()) return {};
    return tr("layer %1 head %2 at step %3: %4\n\n%5")
        .arg(layer)
        .arg(head)
        .arg(m_step)
        .arg(QString::fromLatin1(toString(m_roles[k])), scoresText(m_scores[k]));
}

void RoleGrid::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.fillRect(rect(), palette().base());
    if (m_roles.empty()) {
        p.setPen(palette().color(QPalette::PlaceholderText));
        p.drawText(rect(), Qt::AlignCenter | Qt::TextWordWrap, m_placeholder);
        return;
    }
    p.setPen(palette().color(QPalette::Text));
    for (int h = 0; h < m_heads; ++h) {
        const QRect c = cellRect(0, h);
        p.drawText(QRect(c.left(), 0, c.width(), kHeaderHeight), Qt::AlignCenter, tr("H%1").arg(h));
    }
    for (int l = 0; l < m_layers; ++l) {
        const QRect c = cellRect(l, 0);
        p.drawText(QRect(0, c.top(), kLabelWidth - 4, c.height()), Qt::AlignRight | Qt::AlignVCenter,
                   tr("L%1").arg(l));
        for (int h = 0; h < m_heads; ++h) {
            const std::size_t k = std::size_t(l) * std::size_t(m_heads) + std::size_t(h);
            const QRect cell = cellRect(l, h);
            const QColor color = figures::roleColor(m_roles[k]);
            p.fillRect(cell, color);
            p.setPen(color.lightnessF() < 0.55 ? Qt::white : Qt::black);
            const QString text = figures::roleLabel(m_roles[k]) + QLatin1Char('\n') +
                                 QString::number(double(decidingScore(m_roles[k], m_scores[k])), 'f', 2);
            if (cell.height() >= 2 * fontMetrics().height() &&
                cell.width() >= fontMetrics().horizontalAdvance(QStringLiteral("prev-token")))
                p.drawText(cell, Qt::AlignCenter, text);
        }
    }
}

bool RoleGrid::event(QEvent* e) {
    if (e->type() == QEvent::ToolTip) {
        const QPoint pos = static_cast<QHelpEvent*>(e)->pos();
        for (int l = 0; l < m_layers; ++l)
            for (int h = 0; h < m_heads; ++h)
                if (cellRect(l, h).contains(pos)) {
                    QToolTip::showText(static_cast<QHelpEvent*>(e)->globalPos(), toolTipFor(l, h), this);
                    return true;
                }
        QToolTip::hideText();
        e->ignore();
        return true;
    }
    return QWidget::event(e);
}

} // namespace attnscope::gui
