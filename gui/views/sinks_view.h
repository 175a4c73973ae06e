#pragma once
// "Sinks" tab (attention sinks): first-token sink score α₁ per head
// over training, the sink rate (fraction of heads with α₁ > 0.3), and the per-key received-attention
// profile of one snapshot of the selected run (latest, or the step picked with the slider or by clicking
// any chart).
#include "gui/views/run_view.h"

#include <map>
#include <optional>

class QCheckBox;
class QLabel;
class QSlider;
class QSpinBox;

namespace attnscope::gui {

class LayerCharts;

class SinksView : public RunView {
    Q_OBJECT
public:
    SinksView(RunRegistry& registry, ChartSettings& settings, QWidget* parent = nullptr);
    std::vector<CurveChart*> charts() const override;
    LayerCharts* layerGrid() const override { return m_charts; }

    CurveChart* sinkRateChart() const { return m_rate; }
    CurveChart* profileChart() const { return m_profile; }
    CurveChart* layerChart(int layer) const;
    int profileStep() const { return m_profileStep; } // step of the snapshot shown, 0 if none
    // Step of the snapshot drawn dashed for the run's pinned step A; nullopt while nothing is pinned.
    std::optional<int> pinnedProfileStep() const { return m_profilePin; }
    void showStep(int step); // picks the snapshot at or before `step`

signals:
    void stepPicked(int step); // the user moved this tab's snapshot slider (not showStep())

protected:
    void addRun(const RunData& run) override;
    void consumeNew(const RunData& run) override;
    void forgetRun(int runId) override;
    void afterUpdate() override;

private:
    struct RunSeries {
        int rate = 0;
        std::vector<int> heads;
        std::size_t snapshots = 0;
    };
    void updateProfile();

    LayerCharts* m_charts;
    CurveChart* m_rate;
    CurveChart* m_profile;
    QSpinBox* m_layer;
    QSlider* m_step;
    QCheckBox* m_follow;
    QLabel* m_stepLabel;
    std::map<int, RunSeries> m_runs;
    int m_profileRun = 0, m_profileLayer = -1, m_profileStep = 0;
    std::optional<int> m_profilePin;
    std::vector<int> m_profileSeries; // step B, solid, one per head
    std::vector<int> m_pinSeries;     // step A, dashed, one per head
    bool m_applyingStep = false;      // showStep() is moving the slider
};

} // namespace attnscope::gui
