// Curve views without a trainer: the shared chart behaviour (debiased EMA, outlier-robust range, remembered
// log-y, readout, groups), the run list model, and the views fed synthetic run data.
#include "gui/app/ab_toggle.h"
#include "gui/app/run_list_model.h"
#include "gui/session/run_registry.h"
#include "gui/session/thread_budget.h"
#include "gui/views/chart_settings.h"
#include "gui/views/curve_chart.h"
#include "gui/views/entropy_view.h"
#include "gui/views/logit_view.h"
#include "gui/views/robust_range.h"
#include "gui/views/sinks_view.h"
#include "gui/views/smoothing.h"
#include "gui/views/training_view.h"
#include "helpers/gui/test_settings.h"

#include <QAbstractItemModelTester>
#include <QStandardPaths>
#include <QTest>
#include <cmath>
#include <nlohmann/json.hpp>
#include <qcustomplot.h>

using namespace attnscope;
using namespace attnscope::gui;

namespace {

// A snapshot with recognisable per-head values: entropy = 1 + layer + head/10, and so on.
SnapshotPtr fakeSnapshot(int step, int layers, int heads, int T) {
    auto s = std::make_shared<ProbeSnapshot>();
    s->step = step;
    s->layers = layers;
    s->heads = heads;
    s->length = T;
    const std::size_t n = std::size_t(layers * heads);
    for (std::size_t i = 0; i < n; ++i) {
        const float l = float(i / std::size_t(heads)), h = float(i % std::size_t(heads));
        s->entropy.push_back(1 + l + h / 10 + step * 1e-3f);
        s->normEntropy.push_back(0.5f);
        s->maxLogit.push_back(2 + l + step * 0.01f);
        s->sinkScore.push_back(0.1f * (h + 1));
        s->entropyBound.push_back(std::nanf(""));
    }
    s->keyProfile.assign(n * std::size_t(T), 1.0f / float(T));
    s->tokens.assign(std::size_t(T), 2);
    s->sinkRate = 0.25f;
    s->outLogitMax = 5;
    s->meanLogZ = 3;
    for (int l = 0; l < layers; ++l) {
        s->scalarNames.push_back("lambda1/l" + std::to_string(l));
        s->scalarValues.push_back(0.5f);
        s->scalarNames.push_back("sigma/l" + std::to_string(l) + ".qkv");
        s->scalarValues.push_back(1.5f);
    }
    return s;
}

RunData fakeRun(const std::string& name, int steps, int layers = 2, int heads = 2) {
    RunData run;
    run.name = QString::fromStdString(name);
    run.spec.name = name;
    run.spec.model.layers = layers;
    run.spec.model.heads = heads;
    run.spec.train.steps = steps;
    run.status = RunStatus::Finished;
    for (int i = 1; i <= steps; ++i) {
        StepRecord r;
        r.step = i;
        r.loss = 4.0 / std::sqrt(double(i));
        r.lr = 1e-3;
        r.gradNorm = 1;
        r.tokensPerSec = 1000;
        r.elapsedSec = i * 0.01;
        if (i % 10 == 0) r.valLoss = r.loss + 0.1;
        run.steps.push_back(r);
        if (i % 5 == 0) run.snapshots.push_back(fakeSnapshot(i, layers, heads, 8));
    }
    run.events.push_back({12, EventKind::LossSpike, "loss 3.1 → 5.0"});
    run.events.push_back({15, EventKind::EntropyCollapse, "layer 1 head 0 entropy 1.2 → 0.01 nats"});
    return run;
}

} // namespace

class TestGuiCharts : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { test::useIsolatedSettings(); }

    void debiasedEmaMatchesTensorBoard() {
        // TensorBoard classicSmoothing with weight 0.6 on 1, 2, 3 (worked by hand).
        const auto s = debiasedEma({1, 2, 3}, 0.6);
        QCOMPARE(s.size(), std::size_t(3));
        QVERIFY(std::abs(s[0] - 1.0) < 1e-12);
        QVERIFY(std::abs(s[1] - 1.625) < 1e-12);
        QVERIFY(std::abs(s[2] - 1.824 / 0.784) < 1e-12);
        const auto withNan = debiasedEma({1, std::nan(""), 1}, 0.9);
        QVERIFY(std::isnan(withNan[1]));
        QVERIFY(std::abs(withNan[2] - 1.0) < 1e-12); // a constant stays constant (TensorBoard #786)
        QCOMPARE(debiasedEma({5, 7}, 0.0), (std::vector<double>{5, 7}));
    }

    void quantileRangeIgnoresOutliers() {
        std::vector<double> v;
        for (int i = 1; i <= 200; ++i) v.push_back(i);
        v.push_back(1e6);
        v.push_back(std::nan(""));
        auto e = quantileExtent(v, 0.01, 0.99, false);
        QVERIFY(e);
        QVERIFY(e->second < 1000);
        QVERIFY(e->first >= 1 && e->first < 5);
        std::vector<double> negatives{-1, 0, 10, 100};
        auto positive = quantileExtent(negatives, 0, 1, true);
        QCOMPARE(positive->first, 10.0);
        const auto padded = paddedRange({2, 2}, 0.05, false);
        QVERIFY(padded.first < 2 && padded.second > 2);
        const auto logPadded = paddedRange({1, 100}, 0.0, true);
        QVERIFY(std::abs(logPadded.second - 100) < 1e-9);
    }

    void threadBudgetSplitsCores() {
        QCOMPARE(threadsForRun(0, 0, 8), 8);
        QCOMPARE(threadsForRun(0, 1, 8), 4);
        QCOMPARE(threadsForRun(0, 3, 8), 2);
        QCOMPARE(threadsForRun(0, 9, 8), 1);
        QCOMPARE(threadsForRun(3, 5, 8), 3); // an explicit request is kept
    }

    void abPairDiffersInOneToggle() {
        RunSpec base;
        base.name = "x";
        for (const AbToggle& t : abToggles()) {
            const auto [a, b] = abPair(base, t.key);
            QVERIFY2(!abIsOn(a, t.key), qPrintable(t.key));
            QVERIFY2(abIsOn(b, t.key), qPrintable(t.key));
            QCOMPARE(a.train.seed, b.train.seed);
            QVERIFY(a.name != b.name);
            // Everything else is the same: switching B's toggle off gives A back.
            RunSpec bOff = abWith(b, t.key, false);
            bOff.name = a.name;
            QCOMPARE(toJson(bOff).dump(), toJson(a).dump());
        }
    }

    void chartAppendsSmoothsAndFits() {
        ChartSettings settings;
        settings.setSmoothing(0.6);
        settings.setIgnoreOutliers(true);
        CurveChart chart("test/fit", "fit", &settings);
        chart.resize(400, 300);
        chart.show();
        QVERIFY(QTest::qWaitForWindowExposed(&chart));
        SeriesStyle style;
        style.name = "alpha";
        style.color = Qt::blue;
        style.group = 7;
        const int id = chart.addSeries(style);
        for (int i = 1; i <= 300; ++i) chart.append(id, i, i == 150 ? 1e6 : 1.0 + i * 0.01);
        chart.refresh();
        QCOMPARE(chart.pointCount(id), std::size_t(300));
        QVERIFY(chart.plot()->yAxis->range().upper < 100); // the spike does not flatten the curve
        QVERIFY(chart.plot()->xAxis->range().upper >= 300);
        const double smoothed = chart.valueAt(id, 3, true);
        const auto expected = debiasedEma({1.01, 1.02, 1.03}, 0.6)[2];
        QVERIFY(std::abs(smoothed - expected) < 1e-9);
        QVERIFY(chart.readoutAt(10).contains("alpha"));

        settings.setIgnoreOutliers(false);
        QVERIFY(chart.plot()->yAxis->range().upper >= 1e6);

        chart.setGroupVisible(7, false);
        QCOMPARE(chart.visiblePointCount(), std::size_t(0));
        chart.setGroupVisible(7, true);
        chart.addMarker(7, 150, Qt::red, "spike");
        QCOMPARE(chart.markerCount(), std::size_t(1));
        QVERIFY(chart.readoutAt(150).contains("spike"));
        chart.removeGroup(7);
        QCOMPARE(chart.seriesCount(), 0);
        QCOMPARE(chart.markerCount(), std::size_t(0));
    }

    void zoomHoldsUntilDoubleClick() {
        ChartSettings settings;
        CurveChart chart("test/zoom", "zoom", &settings);
        chart.resize(400, 300);
        chart.show();
        QVERIFY(QTest::qWaitForWindowExposed(&chart));
        SeriesStyle style;
        style.name = "a";
        style.color = Qt::red;
        const int id = chart.addSeries(style);
        for (int i = 1; i <= 100; ++i) chart.append(id, i, i);
        chart.refresh();
        QCustomPlot* plot = chart.plot();
        const QPointF centre = plot->axisRect()->rect().center();
        QWheelEvent wheel(centre, plot->mapToGlobal(centre), QPoint(), QPoint(0, 120), Qt::NoButton,
                          Qt::NoModifier, Qt::NoScrollPhase, false);
        QCoreApplication::sendEvent(plot, &wheel);
        const QCPRange zoomed = plot->xAxis->range();
        QVERIFY(zoomed.size() < 99);
        for (int i = 101; i <= 200; ++i) chart.append(id, i, i);
        chart.refresh();
        QCOMPARE(plot->xAxis->range(), zoomed); // live data does not undo the user's zoom
        QTest::mouseDClick(plot, Qt::LeftButton, Qt::NoModifier, centre.toPoint());
        QVERIFY(plot->xAxis->range().upper >= 200);
    }

    void logYIsRememberedPerChart() {
        ChartSettings settings;
        {
            CurveChart chart("test/logmemory", "a", &settings);
            QVERIFY(!chart.logY());
            chart.setLogY(true);
            QCOMPARE(chart.plot()->yAxis->scaleType(), QCPAxis::stLogarithmic);
        }
        CurveChart again("test/logmemory", "a", &settings);
        QVERIFY(again.logY());
        // Inside two decades the log axis gets 1-2-5 ticks, not linear steps bunched at the top.
        again.plot()->yAxis->setRange(0.15, 1.9);
        again.plot()->replot();
        QCOMPARE(again.plot()->yAxis->tickVector(), (QVector<double>{0.2, 0.5, 1}));
        CurveChart other("test/other", "b", &settings);
        QVERIFY(!other.logY());
        again.setLogY(false);
    }

    void runListModelFollowsRegistry() {
        RunRegistry registry;
        RunListModel model(registry);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const int a = registry.add(fakeRun("a", 10));
        const int b = registry.add(fakeRun("b", 10));
        QCOMPARE(model.rowCount(), 2);
        QVERIFY(registry.find(a)->color != registry.find(b)->color);
        QCOMPARE(registry.selectedId(), b);
        QVERIFY(model.setData(model.index(0, RunListModel::NameColumn), Qt::Unchecked, Qt::CheckStateRole));
        QVERIFY(!registry.find(a)->visible);
        QVERIFY(model.setData(model.index(0, RunListModel::ColorColumn), QColor(Qt::magenta), Qt::EditRole));
        QCOMPARE(registry.find(a)->color, QColor(Qt::magenta));
        QCOMPARE(model.index(1, RunListModel::StatusColumn).data().toString(), QString("finished"));
        registry.find(b)->status = RunStatus::Diverged;
        registry.find(b)->statusStep = 42;
        registry.notifyStatusChanged(b);
        QCOMPARE(model.index(1, RunListModel::StatusColumn).data().toString(),
                 QString("diverged at step 42"));
        registry.remove(a);
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.runIdAt(0), b);
    }

    void viewsFollowRunData() {
        RunRegistry registry;
        ChartSettings settings;
        TrainingView training(registry, settings);
        EntropyView entropy(registry, settings);
        LogitView logits(registry, settings);
        SinksView sinks(registry, settings);
        for (QWidget* w : std::initializer_list<QWidget*>{&training, &entropy, &logits, &sinks}) {
            w->resize(900, 600);
            w->show();
        }
        RunData run = fakeRun("a", 40, 3, 2);
        run.steps.resize(20);
        run.snapshots.resize(4);
        const int id = registry.add(std::move(run));
        QCOMPARE(training.lossChart()->visiblePointCount(), std::size_t(20 + 2)); // train + validation
        QCOMPARE(entropy.layerChart(2)->visiblePointCount(), std::size_t(4 * 2));
        QCOMPARE(entropy.meanChart()->visiblePointCount(), std::size_t(4));

        // New data arrives: only the new part is appended.
        const RunData full = fakeRun("a", 40, 3, 2);
        RunData* live = registry.find(id);
        live->steps = full.steps;
        live->snapshots = full.snapshots;
        registry.notifyDataAppended(id);
        for (RunView* v : std::initializer_list<RunView*>{&training, &entropy, &logits, &sinks})
            v->flushUpdates();
        QCOMPARE(training.lossChart()->visiblePointCount(), std::size_t(40 + 4));
        QCOMPARE(entropy.layerChart(0)->visiblePointCount(), std::size_t(8 * 2));
        QCOMPARE(logits.layerChart(1)->visiblePointCount(), std::size_t(8 * 2));
        QCOMPARE(logits.sigmaChart()->visiblePointCount(), std::size_t(8 * 3));
        QCOMPARE(training.lambdaChart()->visiblePointCount(), std::size_t(8 * 3));
        QCOMPARE(sinks.layerChart(2)->visiblePointCount(), std::size_t(8 * 2));
        QCOMPARE(sinks.sinkRateChart()->visiblePointCount(), std::size_t(8));
        QCOMPARE(sinks.profileStep(), 40);
        QCOMPARE(sinks.profileChart()->visiblePointCount(), std::size_t(8 * 2));
        sinks.showStep(17);
        QCOMPARE(sinks.profileStep(), 15);
        QCOMPARE(training.lossChart()->markerCount(), std::size_t(1));
        QCOMPARE(entropy.layerChart(1)->markerCount(), std::size_t(1)); // the event names layer 1
        QCOMPARE(entropy.layerChart(0)->markerCount(), std::size_t(0));

        // Hiding, recolouring and a second run (colours switch from per-head hues to run shades).
        registry.setVisible(id, false);
        QCOMPARE(training.lossChart()->visiblePointCount(), std::size_t(0));
        registry.setVisible(id, true);
        registry.setColor(id, Qt::darkRed);
        QCOMPARE(training.lossChart()->visiblePointCount(), std::size_t(40 + 4));
        const int second = registry.add(fakeRun("b", 10, 3, 2));
        QCOMPARE(training.lossChart()->visiblePointCount(), std::size_t(40 + 4 + 10 + 1));
        registry.remove(second);
        QCOMPARE(training.lossChart()->visiblePointCount(), std::size_t(40 + 4));

        entropy.setMetric(EntropyView::Metric::Normalized);
        QCOMPARE(entropy.layerChart(0)->visiblePointCount(), std::size_t(8 * 2));
    }
};

QTEST_MAIN(TestGuiCharts)
#include "tst_gui_charts.moc"
