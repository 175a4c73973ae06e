#pragma once
// Layers × heads, each cell coloured by the head's role at one snapshot (figures/role_chart.h palette) and
// labelled with the role and the score that decided it; the tooltip lists every score.
#include "core/probe/head_roles.h"

#include <QWidget>
#include <vector>

namespace attnscope::gui {

class RoleGrid : public QWidget {
    Q_OBJECT
public:
    explicit RoleGrid(QWidget* parent = nullptr);
    // Empty `roles` shows the placeholder.
    void setRoles(int layers, int heads, std::vector<HeadRole> roles, std::vector<RoleScores> scores,
                  int step);
    void setPlaceholder(const QString& text);
    QString toolTipFor(int layer, int head) const; // "" outside the grid
    QRect cellRect(int layer, int head) const;
    QSize sizeHint() const override { return {320, 220}; }

protected:
    void paintEvent(QPaintEvent*) override;
    bool event(QEvent* e) override;

private:
    int m_layers = 0, m_heads = 0, m_step = 0;
    std::vector<HeadRole> m_roles;
    std::vector<RoleScores> m_scores;
    QString m_placeholder;
};

// The score a role is named for (previous-token score for a previous-token head, ...; normalised entropy
// for diffuse, the largest score for mixed), for cell labels.
float decidingScore(HeadRole role, const RoleScores& s);
// All the scores of one head, one per line, for tooltips.
QString scoresText(const RoleScores& s);

} // namespace attnscope::gui
