// The Head roles tab: layers × heads coloured by role at the timeline step with the scores on
// hover, the role-over-time chart whose click moves the timeline, the ICL and induction-score charts with the
// phase change marked (also on the loss chart), and the attention tab's induction-probe maps — on a run file
// whose scores are built by hand, so every role and step is known.
#include "gui/app/main_window.h"
#include "gui/attention/attention_panel.h"
#include "gui/inspect/inspect_controller.h"
#include "gui/roles/head_roles_view.h"
#include "gui/roles/role_grid.h"
#include "gui/roles/role_timeline.h"
#include "gui/session/run_registry.h"
#include "gui/views/curve_chart.h"
#include "gui/views/training_view.h"
#include "gui/widgets/step_timeline.h"
#include "helpers/gui/test_settings.h"
#include "helpers/run_fixtures.h"
#include "helpers/synthetic_run.h"

#include <QComboBox>
#include <QLabel>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

using namespace attnscope;
using namespace attnscope::gui;

namespace {

// 2 layers × 2 heads, snapshots every 100 steps to 1000. L0 H0 becomes a previous-token head at 300, L1 H1 an
// induction head at 500 (on the induction probe); L0 H1 is a sink throughout; L1 H0 stays diffuse.
QString writeRolesRun(const QString& dir) {
    const std::string path = (dir + "/roles.attnrun").toStdString();
    RunWriter w = RunWriter::create(path, test::makeHeader());
    std::vector<StepRecord> steps;
    for (int step = 1; step <= 1000; ++step) {
        steps.push_back(test::stepRecord(step));
        if (step % 100 == 0) steps.back().scalars = {{kIclScalar, step < 500 ? -0.05 : -1.2}};
    }
    w.appendSteps(steps);
    for (int step = 0; step <= 1000; step += 100) {
        auto snap = std::make_shared<ProbeSnapshot>(test::syntheticSnapshot(step, 2, 2, 12));
        snap->previousToken = {step >= 300 ? 0.8f : 0.1f, 0.05f, 0.1f, 0.1f};
        snap->duplicateToken = {0.0f, 0.0f, 0.1f, 0.1f};
        snap->inductionScore = {0.0f, 0.0f, 0.05f, 0.05f};
        snap->localMass = {0.3f, 0.1f, 0.2f, 0.2f};
        snap->sinkScore = {0.1f, 0.9f, 0.1f, 0.1f};
        snap->normEntropy = {0.5f, 0.2f, 0.9f, 0.5f};
        auto induction = std::make_shared<ProbeSnapshot>(test::syntheticSnapshot(step, 2, 2, 9));
        induction->previousToken = snap->previousToken;
        induction->duplicateToken = snap->duplicateToken;
        induction->inductionScore = {0.0f, 0.0f, 0.05f, step >= 500 ? 0.85f : 0.05f};
        induction->localMass = snap->localMass;
        snap->induction = induction;
        w.appendSnapshot(*snap);
    }
    w.appendEvent(Event{500, EventKind::PhaseChange, "phase change: induction score 0.05 → 0.85"});
    return QString::fromStdString(path);
}

} // namespace

class TestHeadRolesView : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        test::useIsolatedSettings();
        QVERIFY(m_dir.isValid());
        m_path = writeRolesRun(m_dir.path());
    }

    void gridTimelineAndChartsFollowTheRun() {
        MainWindow window;
        window.resize(1400, 900);
        QString error;
        const int id = window.openRunFile(m_path, &error);
        QVERIFY2(id > 0, qPrintable(error));
        HeadRolesView* view = window.headRolesView();
        view->flushUpdates();
        StepTimeline* timeline = window.findChild<InspectController*>()->timeline();

        timeline->setStep(1000);
        const RoleHistory& h = view->model().roles().history;
        QCOMPARE(int(h.steps.size()), 11);
        QCOMPARE(h.roles.back()[0], HeadRole::PreviousToken);
        QCOMPARE(h.roles.back()[1], HeadRole::Sink);
        QCOMPARE(h.roles.back()[2], HeadRole::Diffuse);
        QCOMPARE(h.roles.back()[3], HeadRole::Induction);
        QVERIFY(view->grid()->toolTipFor(1, 1).contains(QStringLiteral("step 1000: induction")));
        QVERIFY(view->grid()->toolTipFor(1, 1).contains(QStringLiteral("induction (prefix matching) 0.85")));

        timeline->setStep(400); // before the induction head: its cell says mixed
        QVERIFY(view->grid()->toolTipFor(1, 1).contains(QStringLiteral("step 400: mixed")));
        QVERIFY(view->grid()->toolTipFor(0, 0).contains(QStringLiteral("step 400: previous-token")));

        // The role events the run's writer did not store are recomputed; the phase change is the stored one.
        const auto& events = view->model().roles().roleEvents;
        QCOMPARE(int(events.size()), 2);
        QCOMPARE(QString::fromStdString(events[0].message),
                 QStringLiteral("layer 0 head 0 became a previous-token head at step 300"));
        QCOMPARE(QString::fromStdString(events[1].message),
                 QStringLiteral("layer 1 head 1 became an induction head at step 500"));
        QCOMPARE(view->model().phaseStep(), std::optional<int>(500));

        // Hover names head, step, role; a click moves the timeline to that snapshot.
        RoleTimeline* chart = view->timeline();
        chart->resize(900, 240);
        QString tip;
        QPoint at;
        for (int x = 0; x < chart->width() && tip.isEmpty(); x += 4)
            for (int y = 0; y < chart->height(); y += 4) {
                const QString t = chart->toolTipAt({x, y});
                if (t.contains(QStringLiteral("layer 1 head 1 at step 700"))) {
                    tip = t, at = {x, y};
                    break;
                }
            }
        QVERIFY2(tip.contains(QStringLiteral(": induction")), qPrintable(tip));
        QSignalSpy picked(chart, &RoleTimeline::stepPicked);
        QTest::mouseClick(chart, Qt::LeftButton, {}, at);
        QCOMPARE(picked.count(), 1);
        QCOMPARE(picked.first().first().toInt(), 700);
        QCOMPARE(timeline->step(), 700);

        // ICL at every evaluation, the largest induction score at every snapshot, the phase change on both
        // and on the loss chart.
        QCOMPARE(int(view->iclChart()->visiblePointCount()), 10);
        QCOMPARE(int(view->inductionChart()->visiblePointCount()), 11);
        QCOMPARE(int(view->iclChart()->markerCount()), 1);
        QCOMPARE(int(window.trainingView()->lossChart()->markerCount()), 1);
    }

    void attentionTabShowsTheInductionProbe() {
        MainWindow window;
        QString error;
        QVERIFY2(window.openRunFile(m_path, &error) > 0, qPrintable(error));
        AttentionPanel* panel = window.attentionPanel();
        auto* probe = panel->findChild<QComboBox*>(QStringLiteral("attentionProbe"));
        QVERIFY(probe);
        QCOMPARE(panel->shownSnapshot()->length, 12);
        probe->setCurrentIndex(1);
        QVERIFY(panel->shownSnapshot());
        QCOMPARE(panel->shownSnapshot()->length, 9);
        probe->setCurrentIndex(0);
        QCOMPARE(panel->shownSnapshot()->length, 12);
    }

private:
    QTemporaryDir m_dir;
    QString m_path;
};

QTEST_MAIN(TestHeadRolesView)
#include "tst_gui_head_roles.moc"
