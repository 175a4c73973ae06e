#pragma once
// The step cursors drawn on every curve chart: B at the timeline's step (grey, dashed) and, while a step
// is pinned, A (pin colour, dash-dot) with a letter at the foot of each line so both positions read at once.
#include <QPointer>
#include <Qt>
#include <map>
#include <optional>
#include <vector>

class QCPItemStraightLine;
class QCPItemText;

namespace attnscope::gui {

class CurveChart;

class StepCursors {
public:
    // Moves (creating on first use) the cursors of `charts` to B = `step` and A = `pin`.
    void show(const std::vector<CurveChart*>& charts, int step, std::optional<int> pin);
    // Where the B / A cursor of `chart` stands; NaN when it has none.
    double stepOf(const CurveChart* chart) const;
    double pinOf(const CurveChart* chart) const;

private:
    struct Cursor {
        QPointer<QCPItemStraightLine> line;
        QPointer<QCPItemText> label;
    };
    static void place(CurveChart& chart, Cursor& cursor, const QColor& color, Qt::PenStyle style, double x,
                      const QString& text, bool visible);
    std::map<const CurveChart*, Cursor> m_b, m_a;
};

} // namespace attnscope::gui
