#pragma once
// "Entropy" tab: per-head attention entropy over training as small multiples, one chart per layer with a
// line per head, plus the mean over all heads. The lower bound of Zhai et
// al.'s Theorem 3.1 (per causal row, core/probe/entropy_bound.h) is drawn dashed under each head, and
// entropy-collapse events are marked on their layer.
#include "gui/views/run_view.h"

#include <map>

class QComboBox;
class QLabel;
class QPushButton;

namespace attnscope::gui {

class ChartCaption;
class LayerCharts;

class EntropyView : public RunView {
    Q_OBJECT
public:
    enum class Metric { Entropy, Normalized };

    EntropyView(RunRegistry& registry, ChartSettings& settings, QWidget* parent = nullptr);
    std::vector<CurveChart*> charts() const override;
    LayerCharts* layerGrid() const override { return m_charts; }

    void setMetric(Metric metric);
    Metric metric() const { return m_metric; }
    CurveChart* meanChart() const { return m_mean; }
    CurveChart* layerChart(int layer) const;

protected:
    void addRun(const RunData& run) override;
    void consumeNew(const RunData& run) override;
    void forgetRun(int runId) override;
    void afterUpdate() override;

private:
    struct RunSeries {
        int mean = 0;
        std::vector<int> heads;  // [layer * heads + head]
        std::vector<int> bounds; // same index; 0 until the run reports a finite bound
        std::size_t snapshots = 0, events = 0;
    };

    Metric m_metric = Metric::Entropy;
    QComboBox* m_metricBox;
    QLabel* m_lengthWarning;
    QPushButton* m_normalizeButton;
    ChartCaption* m_caption;
    QLabel* m_boundNote;
    LayerCharts* m_charts;
    CurveChart* m_mean;
    std::map<int, RunSeries> m_runs;
};

} // namespace attnscope::gui
