#pragma once
// "Extreme tokens" tab (Guo et al. 2024): the three extreme-token phenomena side by side —
// the attention sink (per head, mean attention on key 0 over the non-trigger, "dormant" queries, over
// training), the key that receives most attention (per head, over training), and at the timeline's step the
// value-state norm ‖v_j W_o‖ of every key position (value-state drain: small at the sink) and the residual
// norm ‖x_j‖ of every position entering each layer (residual-state peak: large at the sink). Reads the
// snapshot fields sinkNonTrigger, topKey, valueNorm and residualNorm; runs recorded before them show
// placeholders.
#include "gui/views/run_view.h"

#include <map>
#include <optional>

class QSpinBox;

namespace attnscope::gui {

class LayerCharts;

class ExtremeTokensView : public RunView {
    Q_OBJECT
public:
    ExtremeTokensView(RunRegistry& registry, ChartSettings& settings, QWidget* parent = nullptr);
    std::vector<CurveChart*> charts() const override;
    std::vector<CurveChart*> stepCharts() const override; // not the norm profiles (x = position)
    LayerCharts* layerGrid() const override { return m_charts; }
    CurveChart* topKeyChart() const { return m_topKey; }
    CurveChart* valueNormChart() const { return m_valueNorm; }
    CurveChart* residualNormChart() const { return m_residual; }
    CurveChart* layerChart(int layer) const;
    void showStep(int step); // the profiles show the selected run's snapshot at or before `step`
    int profileStep() const { return m_profileStep; }
    std::optional<int> pinnedProfileStep() const { return m_profilePin; }

protected:
    void addRun(const RunData& run) override;
    void consumeNew(const RunData& run) override;
    void forgetRun(int runId) override;
    void afterUpdate() override;

private:
    struct RunSeries {
        std::vector<int> sink, top; // [layer * heads + head]
        std::size_t snapshots = 0;
    };
    void updateProfiles();

    QSpinBox* m_layer;
    LayerCharts* m_charts;
    CurveChart* m_topKey;
    CurveChart* m_valueNorm;
    CurveChart* m_residual;
    std::map<int, RunSeries> m_runs;
    int m_step = 1 << 30; // the timeline's step (default: the latest snapshot)
    int m_profileStep = 0;
    std::optional<int> m_profilePin; // step A drawn dashed, if any
};

} // namespace attnscope::gui
