#include "gui/export/difference_picker.h"

#include "figures/figure_comparison.h"
#include "figures/figure_data.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QVBoxLayout>
#include <exception>

namespace attnscope::gui {

using namespace attnscope::figures;

DifferencePicker::DifferencePicker(const FigureInput& input, QWidget* parent)
    : QWidget(parent), m_input(input), m_run(new QComboBox(this)), m_step(new QSpinBox(this)),
      m_note(new QLabel(this)) {
    m_run->addItem(tr("nothing (plain maps)"), kNone);
    m_run->addItem(tr("this run at step"), kThisRun);
    m_run->setToolTip(tr("Attention maps and grids show the exported snapshot minus this one "
                         "(attnscope-cli plot --compare-step / --compare-run)"));
    const SnapshotPtr last = input.snapshotAt(-1);
    m_step->setRange(-1, last ? last->step : 0);
    m_step->setSpecialValueText(tr("same step"));
    m_step->setPrefix(tr("step "));
    m_step->setToolTip(tr("The snapshot recorded at or before this step is subtracted"));
    m_note->setWordWrap(true);
    auto* row = new QHBoxLayout;
    row->setContentsMargins(0, 0, 0, 0);
    row->addWidget(m_run, 1);
    row->addWidget(m_step);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addLayout(row);
    layout->addWidget(m_note);
    connect(m_run, &QComboBox::currentIndexChanged, this, [this] {
        syncStep();
        emit changed();
    });
    connect(m_step, &QSpinBox::valueChanged, this, &DifferencePicker::changed);
    syncStep();
}

void DifferencePicker::addRun(int id, FigureInput run) {
    m_run->addItem(tr("run “%1” at").arg(run.runName), id);
    const SnapshotPtr last = run.snapshotAt(-1);
    if (last && last->step > m_step->maximum()) m_step->setMaximum(last->step);
    m_runs[id] = std::move(run);
}

void DifferencePicker::select(int run, int step) {
    const int index = m_run->findData(run);
    m_run->setCurrentIndex(index >= 0 ? index : 0);
    m_step->setValue(step);
    syncStep();
}

int DifferencePicker::run() const {
    return m_run->currentData().toInt();
}
int DifferencePicker::step() const {
    return m_step->value();
}

int DifferencePicker::pinStep() const {
    return run() == kThisRun ? step() : -1;
}

void DifferencePicker::syncStep() {
    // "Same step" of the run itself would subtract a map from itself.
    const bool self = run() == kThisRun;
    m_step->setEnabled(run() != kNone);
    m_step->setMinimum(self ? 0 : -1);
}

void DifferencePicker::apply(FigureInput& in, const FigureRequest& request) const {
    if (run() == kNone) return;
    const auto other = m_runs.find(run());
    setComparison(in, request, other == m_runs.end() ? nullptr : &other->second, step());
}

void DifferencePicker::describe(const FigureRequest& request) {
    QString text;
    bool problem = false;
    if (run() != kNone && !isMapView(request.view)) {
        problem = run() != kThisRun;
        text = problem ? tr("Another run is not drawn on these curves; its difference applies to attention "
                            "maps and grids.")
                       : tr("Curves mark step %1 as A beside the cursor (B)").arg(step());
    } else if (run() != kNone) {
        try {
            FigureInput in = m_input;
            apply(in, request);
            const MapData d = mapData(in, request); // throws with the reason when shapes differ
            text = tr("Maps show step %1 − %2").arg(d.step).arg(in.comparisonLabel);
        } catch (const std::exception& e) {
            text = QString::fromStdString(e.what());
            problem = true;
        }
    }
    m_note->setText(text);
    m_note->setStyleSheet(problem ? QStringLiteral("color: #8a1c00;") : QString());
    m_note->setVisible(!text.isEmpty());
}

QString DifferencePicker::description() const {
    return m_note->text();
}

} // namespace attnscope::gui
