#pragma once
// "Training" tab: loss and validation loss, gradient norm, learning rate, output-logit drift (Wortsman
// et al.: max |logit| and mean log Z), ResFormer λ trajectories and throughput, for every visible run.
// Loss spikes, non-finite values, divergence and the induction phase change are marked on the loss chart.
#include "gui/views/run_view.h"

#include <map>
#include <string>
#include <utility>
#include <vector>

class QGridLayout;

namespace attnscope::gui {

class ChartCaption;

class TrainingView : public RunView {
    Q_OBJECT
public:
    TrainingView(RunRegistry& registry, ChartSettings& settings, QWidget* parent = nullptr);
    std::vector<CurveChart*> charts() const override;

    CurveChart* lossChart() const { return m_loss; }
    CurveChart* lambdaChart() const { return m_lambda; }
    CurveChart* outputLogitChart() const { return m_outLogits; }

protected:
    void addRun(const RunData& run) override;
    void consumeNew(const RunData& run) override;
    void forgetRun(int runId) override;
    void afterUpdate() override;
    void resizeEvent(QResizeEvent* event) override;

private:
    void arrange(int columns); // the charts, each with its caption under it, in `columns` columns
    struct RunSeries {
        int loss = 0, val = 0, grad = 0, lr = 0, tokens = 0, outMax = 0, logZ = 0;
        std::map<std::string, int> lambdas; // scalar name → series, created as they appear
        std::size_t steps = 0, snapshots = 0, events = 0;
    };
    int lambdaSeries(const RunData& run, RunSeries& rs, const std::string& name);

    CurveChart* m_loss;
    CurveChart* m_grad;
    CurveChart* m_lr;
    CurveChart* m_outLogits;
    CurveChart* m_lambda;
    CurveChart* m_tokens;
    QGridLayout* m_grid;
    std::vector<std::pair<CurveChart*, ChartCaption*>> m_cells;
    int m_columns = 0;
    std::map<int, RunSeries> m_runs;
};

} // namespace attnscope::gui
