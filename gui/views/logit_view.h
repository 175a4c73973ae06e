#pragma once
// "Logit growth" tab (Wortsman et al. attention-logit growth): the
// maximum pre-softmax content logit per layer and per head over training, and σReparam's σ(W) and γ per
// matrix. Logit-explosion events are marked.
#include "gui/views/run_view.h"

#include <map>
#include <string>

namespace attnscope::gui {

class LayerCharts;

class LogitView : public RunView {
    Q_OBJECT
public:
    LogitView(RunRegistry& registry, ChartSettings& settings, QWidget* parent = nullptr);
    std::vector<CurveChart*> charts() const override;
    LayerCharts* layerGrid() const override { return m_charts; }

    CurveChart* layerMaxChart() const { return m_layerMax; }
    CurveChart* sigmaChart() const { return m_sigma; }
    CurveChart* gammaChart() const { return m_gamma; }
    CurveChart* layerChart(int layer) const;

protected:
    void addRun(const RunData& run) override;
    void consumeNew(const RunData& run) override;
    void forgetRun(int runId) override;
    void afterUpdate() override;

private:
    struct RunSeries {
        std::vector<int> layerMax;          // per layer
        std::vector<int> heads;             // [layer * heads + head]
        std::map<std::string, int> scalars; // "sigma/…", "gamma/…" → series
        std::size_t snapshots = 0, events = 0;
    };
    int scalarSeries(const RunData& run, RunSeries& rs, const std::string& name, int index, int count);

    LayerCharts* m_charts;
    CurveChart* m_layerMax;
    CurveChart* m_sigma;
    CurveChart* m_gamma;
    std::map<int, RunSeries> m_runs;
};

} // namespace attnscope::gui
