#pragma once
// The "Difference" row of the export dialog: subtract nothing, another step of the exported run, or
// another open run (at the same step or a given one) — exactly what `attnscope-cli plot --compare-step N`
// and `--compare-run FILE` draw. Curve figures mark "this run at step N" as a second cursor, step A. A line
// under the row says what the figure will show, or why it cannot.
#include "figures/figure_input.h"
#include "figures/figure_spec.h"

#include <QWidget>
#include <map>

class QComboBox;
class QLabel;
class QSpinBox;

namespace attnscope::gui {

class DifferencePicker : public QWidget {
    Q_OBJECT
public:
    static constexpr int kNone = 0;
    static constexpr int kThisRun = -1;

    explicit DifferencePicker(const figures::FigureInput& input, QWidget* parent = nullptr);

    // Another open run that can be subtracted; `id` is the caller's key for select().
    void addRun(int id, figures::FigureInput run);
    // run: kNone, kThisRun or an id given to addRun(); step: the step to subtract, -1 = the figure's step.
    void select(int run, int step);
    int run() const;
    int step() const; // -1: the figure's own step
    // Step A that curve figures mark beside their cursor: the step of "this run at step"; -1 otherwise.
    int pinStep() const;

    // Sets the chosen difference on `in` (a copy of the exported run) for `request`; nothing for kNone.
    // Throws attnscope::Error when it cannot be drawn (no snapshots, other shape).
    void apply(figures::FigureInput& in, const figures::FigureRequest& request) const;
    // Shows what `request` will draw under the row ("maps show step 400 − step 100") or the reason not.
    void describe(const figures::FigureRequest& request);
    QString description() const;

signals:
    void changed();

private:
    void syncStep();

    const figures::FigureInput& m_input;
    std::map<int, figures::FigureInput> m_runs;
    QComboBox* m_run;
    QSpinBox* m_step;
    QLabel* m_note;
};

} // namespace attnscope::gui
