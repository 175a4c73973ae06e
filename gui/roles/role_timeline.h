#pragma once
// The role-over-time chart of one run in the app: heads × snapshot steps coloured by role (painted by
// figures::paintRoleChart, the same picture as the exported figure), the timeline step as a line, the phase
// change dashed. Hover names the head, step, role and scores; a click moves the timeline to that step.
#include "core/probe/head_roles.h"

#include <QWidget>
#include <optional>

namespace attnscope::gui {

class RoleTimeline : public QWidget {
    Q_OBJECT
public:
    explicit RoleTimeline(QWidget* parent = nullptr);
    void setHistory(const RoleHistory* history, std::optional<int> phaseStep); // null: placeholder
    void setCursorStep(std::optional<int> step);
    void setPlaceholder(const QString& text);
    // Tooltip text at a point ("" outside the cells); for tests and screenshots.
    QString toolTipAt(const QPoint& pos) const;
    QSize sizeHint() const override { return {800, 220}; }

signals:
    void stepPicked(int step);

protected:
    void paintEvent(QPaintEvent*) override;
    bool event(QEvent* e) override;
    void mousePressEvent(QMouseEvent* e) override;

private:
    int indexAtX(double x) const; // snapshot index under x, -1 outside
    const RoleHistory* m_history = nullptr;
    std::optional<int> m_phase, m_cursor;
    QString m_placeholder;
};

} // namespace attnscope::gui
