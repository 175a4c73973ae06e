#pragma once
// "Value residual" tab (Zhou et al.): what ResFormer/SVFormer are claimed to change, side
// by side for every open run — validation loss, importance entropy per layer over training (attention
// concentration, §4.3), the mixing weights λ₁/λ₂ per layer (learnable runs move them), and the KV-cache bytes
// per token of each run (docs/experiments.md formulas).
#include "core/model/config.h"
#include "gui/views/run_view.h"

#include <map>

class QTableWidget;

namespace attnscope::gui {

class LayerCharts;

// KV-cache bytes per generated token at sequence length T (f32 as the engine stores; docs/experiments.md):
// every layer caches K and V (2·C numbers) except SVFormer's later layers (K only: they reuse V₁); a local
// head (window w) caches only its last min(w, T) tokens, amortised per token over a T-token sequence.
double kvCacheBytesPerToken(const ModelConfig& model, int T, int bytesPerNumber = 4);

class ValueResidualView : public RunView {
    Q_OBJECT
public:
    ValueResidualView(RunRegistry& registry, ChartSettings& settings, QWidget* parent = nullptr);
    std::vector<CurveChart*> charts() const override;
    LayerCharts* layerGrid() const override { return m_charts; }
    CurveChart* lossChart() const { return m_loss; }
    CurveChart* lambdaChart() const { return m_lambda; }
    CurveChart* layerChart(int layer) const;
    QTableWidget* cacheTable() const { return m_cache; }

protected:
    void addRun(const RunData& run) override;
    void consumeNew(const RunData& run) override;
    void forgetRun(int runId) override;
    void afterUpdate() override;

private:
    struct RunSeries {
        int val = 0;
        std::vector<int> importance; // [layer]
        std::map<std::string, int> lambdas;
        std::size_t steps = 0, snapshots = 0;
    };
    LayerCharts* m_charts;
    CurveChart* m_loss;
    CurveChart* m_lambda;
    QTableWidget* m_cache;
    std::map<int, RunSeries> m_runs;
};

} // namespace attnscope::gui
