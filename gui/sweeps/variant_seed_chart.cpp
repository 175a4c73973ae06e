#include "gui/sweeps/variant_seed_chart.h"

#include "figures/palette.h"
#include "gui/sweeps/sweep_folder.h"
#include "gui/views/chart_style.h"

#include <QStringList>
#include <algorithm>
#include <cmath>
#include <qcustomplot.h>

namespace attnscope::gui {

void drawVariantSeeds(QCustomPlot* plot, const SweepData& data, bool logit) {
    const SweepSummary& s = data.summary;
    // Categories: the cells' labels without the seed axis, in grid order.
    std::vector<std::vector<std::string>> keys;
    std::vector<std::vector<int>> members;
    for (std::size_t i = 0; i < data.cells.size(); ++i) {
        std::vector<std::string> key = data.cells[i].labels;
        if (s.seedAxis >= 0) key.erase(key.begin() + s.seedAxis);
        const auto it = std::find(keys.begin(), keys.end(), key);
        if (it == keys.end()) keys.push_back(key), members.emplace_back();
        members[std::size_t(std::find(keys.begin(), keys.end(), key) - keys.begin())].push_back(int(i));
    }
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    plot->xAxis->setScaleType(QCPAxis::stLinear);
    plot->xAxis->setLabel(QObject::tr("variant"));
    double yLo = INFINITY, yHi = -INFINITY;
    int diverged = 0;
    for (std::size_t k = 0; k < keys.size(); ++k) {
        QStringList name;
        for (const std::string& l : keys[k]) name << QString::fromStdString(l);
        ticker->addTick(double(k), name.join(QStringLiteral(" · ")));
        const QColor color = sweepVariantColor(int(k)); // k: the variant's number (sweepVariantOfCells)
        QCPGraph* seeds = plot->addGraph();
        seeds->setProperty("role", QStringLiteral("seeds"));
        seeds->setLineStyle(QCPGraph::lsNone);
        seeds->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(color, 1.5), QBrush(), 7));
        seeds->removeFromLegend();
        std::vector<double> values;
        for (int i : members[k]) {
            const CellResult& r = s.cells[std::size_t(i)];
            if (!r.complete) continue;
            if (r.diverged || !std::isfinite(r.finalValLoss)) {
                ++diverged;
                continue;
            }
            const double v = logit ? r.maxLogit : r.finalValLoss;
            if (!std::isfinite(v) || (logit && v <= 0)) continue;
            values.push_back(v);
            // Seeds side by side around the column, so equal values do not hide each other.
            seeds->addData(double(k) - 0.12 +
                               0.24 * double(values.size() - 1) / std::max<double>(1, members[k].size() - 1),
                           v);
            yLo = std::min(yLo, v), yHi = std::max(yHi, v);
        }
        const Stat st = meanSd(values);
        if (st.n == 0) continue;
        QCPGraph* m = plot->addGraph();
        m->setProperty("role", QStringLiteral("mean"));
        m->setLineStyle(QCPGraph::lsNone);
        m->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, QPen(color), QBrush(color), 9));
        m->setName(name.join(QStringLiteral(" · ")) + QStringLiteral(" (%1 seeds)").arg(st.n));
        m->addData(double(k) + 0.3, st.mean);
        auto* err = new QCPErrorBars(plot->xAxis, plot->yAxis);
        err->removeFromLegend();
        err->setDataPlottable(m);
        err->setPen(QPen(color, 1.5));
        err->setData(QVector<double>{std::isfinite(st.sd) ? st.sd : 0.0});
        if (std::isfinite(st.sd)) yLo = std::min(yLo, st.mean - st.sd), yHi = std::max(yHi, st.mean + st.sd);
    }
    plot->xAxis->setTicker(ticker);
    plot->xAxis->setRange(-0.6, double(keys.size()) - 0.4);
    if (!std::isfinite(yLo)) yLo = logit ? 1 : 0, yHi = logit ? 10 : 1;
    if (logit) {
        plot->yAxis->setRange(yLo / 1.6, yHi * 1.6);
    } else {
        const double pad = std::max(0.01, 0.15 * (yHi - yLo));
        plot->yAxis->setRange(yLo - pad, yHi + pad);
    }
    if (diverged) {
        auto* text = new QCPItemText(plot);
        text->position->setType(QCPItemPosition::ptAxisRectRatio);
        text->position->setCoords(0.5, 0.02);
        text->setPositionAlignment(Qt::AlignHCenter | Qt::AlignTop);
        // Dark red on a light chart, a light red on a dark one: readable in both themes.
        text->setColor(chartBackground().lightnessF() < 0.5 ? QColor(0xF0, 0x8A, 0x7A)
                                                            : QColor(0xB0, 0x30, 0x20));
        text->setFont(chartSmallFont());
        text->setText(QObject::tr("%n seed(s) diverged (see the table)", "", diverged));
    }
}

} // namespace attnscope::gui
