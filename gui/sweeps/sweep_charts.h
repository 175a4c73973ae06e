#pragma once
// The two charts of the Sweeps page (Wortsman et al. 2023, Fig. 1 and Fig. 3): final validation loss against
// peak LR (log x) and final max attention logit against LR (log y), one line per variant in the run palette,
// the mean over seeds with ± 1 sd as a shaded band; diverged cells as crosses labelled "diverged" (on the
// loss chart at ℓ0, the loss the LR sensitivity counts them as). Each chart has its "What am I seeing?" line.
// A sweep without an LR axis gets one column per variant with its seeds instead (variant_seed_chart.h).
#include "gui/sweeps/sweep_curves.h"

#include <QWidget>
#include <memory>

class QCustomPlot;
class QCPGraph;

namespace attnscope::gui {

class ChartCaption;

class SweepCharts : public QWidget {
    Q_OBJECT
public:
    explicit SweepCharts(QWidget* parent = nullptr);

    void setData(std::shared_ptr<const SweepData> data);
    // One chart above the other instead of side by side (a narrow page).
    void setStacked(bool stacked);
    QCustomPlot* lossPlot() const { return m_loss; }
    QCustomPlot* logitPlot() const { return m_logit; }
    // The graphs of one chart with property "role" = `role` ("mean", "band-upper", "band-lower",
    // "diverged"), in variant order.
    static std::vector<QCPGraph*> graphs(QCustomPlot* plot, const QString& role);

private:
    void draw(QCustomPlot* plot, bool logit);

    void setLrLayout(QCustomPlot* plot, bool lr);

    std::shared_ptr<const SweepData> m_data;
    std::vector<VariantCurve> m_curves;
    QCustomPlot* m_loss;
    QCustomPlot* m_logit;
    ChartCaption* m_lossCaption = nullptr;
    ChartCaption* m_logitCaption = nullptr;
};

} // namespace attnscope::gui
