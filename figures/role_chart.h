#pragma once
// The role-over-time chart (heads × steps, each cell coloured by the head's role at that snapshot;
// core/probe/head_roles.h) and the role palette. One painter for the app's Head roles tab and for exported
// figures (`attnscope-cli plot --view roles`), so both show the same picture.
#include "core/probe/head_roles.h"

#include <QColor>
#include <QFont>
#include <QRectF>
#include <QString>
#include <optional>

class QPainter;

namespace attnscope::figures {

// Okabe–Ito colours (figures/palette.h; colour-blind safe) for the circuit roles, greys for the rest.
QColor roleColor(HeadRole role);
// Short label for legends and cells: "induction", "prev-token", "duplicate", "sink", "local", "diffuse",
// "mixed".
QString roleLabel(HeadRole role);

struct RoleChartMarks {
    std::optional<int> cursorStep; // the timeline step (a vertical line)
    std::optional<int> phaseStep;  // the phase change (dashed line, labelled)
    QString title;                 // drawn above when not empty
    bool legend = true;
};

// Where things are in a chart painted into `bounds`: for hit tests (hover, click) in the app.
struct RoleChartGeometry {
    QRectF plot;  // the cells
    int rows = 0; // layers × heads, layer-major, top to bottom
    double firstStep = 0, lastStep = 1;
    double xOf(double step) const;
    double stepAt(double x) const;
    int rowAt(double y) const; // -1 outside
};
RoleChartGeometry roleChartGeometry(const QRectF& bounds, const RoleHistory& history,
                                    const RoleChartMarks& marks, const QFont& font);

// Paints at the painter's current font (its size sets the chart's text). Cell k spans from steps[k] to
// steps[k + 1] (the last one a median interval wide).
void paintRoleChart(QPainter& painter, const QRectF& bounds, const RoleHistory& history,
                    const RoleChartMarks& marks);

// Side-car CSV of the chart: one row per snapshot and head (step, layer, head, role and the scores).
bool writeRoleCsv(const RoleHistory& history, const QString& path, QString* error);

} // namespace attnscope::figures
