#pragma once
// The two charts of the Sweeps page (Wortsman et al. 2023, Fig. 1 and Fig. 3): final validation loss against
// peak LR (log x) and final max attention logit against LR (log y), one line per variant in the run palette,
// the mean over seeds with ± 1 sd as a shaded band; diverged cells as crosses labelled "diverged" (on the
// loss chart at ℓ0, the loss the LR sensitivity counts them as). Each chart has its "What am I seeing?" line.
// A sweep without an LR axis gets one column per variant with its seeds instead (variant_seed_chart.h).
#include "gui/sweeps/sweep_curves.h"

#include <QWidget>
#include <cmath>
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

protected:
    void changeEvent(QEvent* event) override; // restyles and redraws on font and palette changes

private:
    // The extent of the LR curves drawn: the grid's LRs and the values (diverged ones included).
    struct LrExtent {
        double lo = INFINITY, hi = -INFINITY, yLo = INFINITY, yHi = -INFINITY;
        bool anyDiverged = false;
    };
    // One chart, from scratch: the LR curves, the per-variant columns (no LR axis) or a message.
    void draw(QCustomPlot* plot, bool logit);
    void setLrLayout(QCustomPlot* plot, bool lr);
    void showNoData(QCustomPlot* plot) const;
    LrExtent drawLrCurves(QCustomPlot* plot, bool logit) const;
    void setLossRange(QCustomPlot* plot, LrExtent extent) const;
    static void drawInitLossLine(QCustomPlot* plot, double init, const LrExtent& extent);
    void writeOffChartLosses(QCustomPlot* plot) const;
    static void markDivergedCells(QCustomPlot* plot, bool logit);
    static void addDivergedKey(QCustomPlot* plot, bool logit);

    std::shared_ptr<const SweepData> m_data;
    std::vector<VariantCurve> m_curves;
    QCustomPlot* m_loss;
    QCustomPlot* m_logit;
    ChartCaption* m_lossCaption = nullptr;
    ChartCaption* m_logitCaption = nullptr;
};

} // namespace attnscope::gui
