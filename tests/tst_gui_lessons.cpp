// Lessons: the start page on a first start, every lesson's text and "Open lesson" action (its runs
// opened or trained, its tab, selected run, metric, pinned step and timeline step set), the Extrapolation
// view (ALiBi flat and sinusoidal rising for the shipped pair; "Evaluate lengths" on a worker stores the
// results in the run file), the Value residual view, the probe-length warning on the entropy tab, and a "what
// am I seeing" caption with formula and units under the charts.
#include "core/store/run_reader.h"
#include "core/train/presets.h"
#include "gui/app/main_window.h"
#include "gui/attention/attention_grid_view.h"
#include "gui/attention/attention_panel.h"
#include "gui/inspect/inspect_controller.h"
#include "gui/lessons/lesson_catalog.h"
#include "gui/lessons/lesson_opener.h"
#include "gui/lessons/lessons_controller.h"
#include "gui/lessons/lessons_panel.h"
#include "gui/session/run_registry.h"
#include "gui/session/session_manager.h"
#include "gui/views/curve_chart.h"
#include "gui/views/entropy_view.h"
#include "gui/views/extrapolation_view.h"
#include "gui/views/extreme_tokens_view.h"
#include "gui/views/value_residual_view.h"
#include "gui/widgets/chart_help.h"
#include "gui/widgets/page_switcher.h"
#include "gui/widgets/step_timeline.h"
#include "helpers/gui/test_settings.h"
#include "helpers/test_paths.h"

#include <QDockWidget>
#include <QFile>
#include <QLabel>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTextBrowser>
#include <QtTest>
#include <algorithm>
#include <cmath>
#include <qcustomplot.h>

using namespace attnscope;
using namespace attnscope::gui;

class TestLessons : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { test::useIsolatedSettings(); }

    void init() {
        m_window = std::make_unique<MainWindow>();
        m_window->sessions().setRecording(false);
        m_window->sessions().setCores(1);
        m_lessons = m_window->lessons();
        QVERIFY(m_lessons);
    }
    void cleanup() {
        m_window->sessions().stopAll();
        m_window.reset();
    }

    void startPageOnFirstStartOnly() {
        QSettings().remove("lessons/startPageSeen");
        m_window->openStartup({});
        QVERIFY(!m_lessons->dock()->isHidden());
        QVERIFY(m_lessons->panel()->currentLesson().isEmpty()); // the start page
        const QString index = m_lessons->panel()->findChild<QTextBrowser*>("lessonIndex")->toPlainText();
        QVERIFY(index.contains("Welcome to AttnScope"));
        for (const Lesson& l : m_lessons->panel()->lessons())
            QVERIFY2(index.contains(l.title), qPrintable(l.title));
        // Not again on the next start.
        QVERIFY(!m_lessons->showStartPageOnFirstStart());
    }

    void everyLessonIsComplete() {
        const std::vector<Lesson>& lessons = m_lessons->panel()->lessons();
        QCOMPARE(lessons.size(), std::size_t(7));
        for (const Lesson& l : lessons) {
            const QString text = l.markdown();
            QVERIFY2(!text.contains("missing from this build"), qPrintable(l.id));
            // The lesson's parts: what was measured (honest) and a question to try next.
            QVERIFY2(text.contains("measured at this scale"), qPrintable(l.id));
            QVERIFY2(text.contains("Try next"), qPrintable(l.id));
            QVERIFY2(m_window->pages().page(l.view.tab), qPrintable(l.id + " tab " + l.view.tab));
            QVERIFY(!l.runs.empty());
            // A run whose settings the lesson overrides is another model than its preset's: it describes
            // itself rather than recording the preset's description.
            for (const LessonRun& r : l.runs)
                if (!r.json.isEmpty())
                    QVERIFY2(!r.json.value("description").toString().isEmpty(),
                             qPrintable(l.id + " " + r.name()));
        }
    }

    // Every lesson of resources/lessons/lessons.json, so that a lesson added there is tested too.
    void openLesson_data() {
        QTest::addColumn<QString>("id");
        const std::vector<Lesson> lessons = loadLessons();
        QVERIFY(lessons.size() >= 7);
        for (const Lesson& l : lessons) QTest::newRow(qPrintable(l.id)) << l.id;
    }
    void openLesson() {
        QFETCH(QString, id);
        LessonsPanel* panel = m_lessons->panel();
        const Lesson* lesson = nullptr;
        for (const Lesson& l : panel->lessons())
            if (l.id == id) lesson = &l;
        QVERIFY(lesson);
        // Each run is either a shipped sample or a preset this build has; otherwise the panel says which.
        bool openable = true;
        for (const LessonRun& r : lesson->runs)
            if (LessonOpener::samplePath(r.sample).isEmpty() && !findPreset(r.preset.toStdString()))
                openable = false;
        QVERIFY(panel->showLesson(id));
        panel->openButton()->click(); // the one click
        if (!openable) {
            QVERIFY(panel->statusLabel()->text().contains("preset"));
            QSKIP("this lesson's runs are not in this build yet");
        }
        const std::vector<int>& ids = panel->opener()->runIds();
        QCOMPARE(ids.size(), lesson->runs.size());
        RunRegistry& reg = m_window->registry();
        for (std::size_t i = 0; i < ids.size(); ++i) {
            QVERIFY2(ids[i] && reg.find(ids[i]), qPrintable(lesson->runs[i].name()));
            QVERIFY(reg.find(ids[i])->visible);
            const bool sample = !LessonOpener::samplePath(lesson->runs[i].sample).isEmpty();
            QCOMPARE(reg.find(ids[i])->live, !sample);
        }
        // The views it sets: only the lesson's runs visible, the chosen one selected, its tab and metric.
        for (const auto& r : reg.runs())
            QCOMPARE(r->visible, std::find(ids.begin(), ids.end(), r->id) != ids.end());
        QCOMPARE(reg.selectedId(), ids[std::size_t(lesson->view.select)]);
        QCOMPARE(m_window->tabs()->currentWidget(), m_window->pages().page(lesson->view.tab));
        if (lesson->view.metric == "entropy")
            QCOMPARE(m_window->entropyView()->metric(), EntropyView::Metric::Entropy);
        if (lesson->view.metric == "normalized")
            QCOMPARE(m_window->entropyView()->metric(), EntropyView::Metric::Normalized);
        const RunData* selected = reg.selected();
        StepTimeline* timeline = m_window->timeline();
        if (!selected->snapshots.empty()) QCOMPARE(timeline->step(), selected->snapshots.back()->step);
        if (lesson->view.pin && !selected->snapshots.empty())
            QCOMPARE(selected->pinnedStep, std::optional<int>(selected->snapshotAt(*lesson->view.pin)->step));
        if (lesson->view.layer) { // the enlarged head; a live run's once its first snapshot arrives
            QTRY_COMPARE_WITH_TIMEOUT(m_window->attentionPanel()->grid()->selectedLayer(),
                                      *lesson->view.layer, 20000);
            QCOMPARE(m_window->attentionPanel()->grid()->selectedHead(), lesson->view.head.value_or(0));
        }
        if (lesson->view.positions) { // the per-position loss of every visible run, on a worker
            auto* extrapolation = qobject_cast<ExtrapolationView*>(m_window->pages().page("extrapolation"));
            QVERIFY(extrapolation);
            for (int runId : ids)
                QTRY_VERIFY_WITH_TIMEOUT(extrapolation->positionLosses().count(runId) > 0, 60000);
        }
        if (id == "induction")
            QCOMPARE(QString::fromStdString(selected->spec.data.task), QString("induction"));
        if (id == "sinks") {
            // The extreme-token view reads the sink pair's snapshots: the top key per head over training and,
            // at the timeline's step, the value and residual norms of every position.
            ExtremeTokensView* extreme = m_window->extremeTokensView();
            QTRY_VERIFY_WITH_TIMEOUT(
                (extreme->flushUpdates(), extreme->topKeyChart()->visiblePointCount() > 0), 30000);
            extreme->showStep(1 << 30);
            QVERIFY(extreme->profileStep() >= 0);
            QVERIFY(extreme->valueNormChart()->seriesCount() > 0);
            QVERIFY(extreme->residualNormChart()->seriesCount() > 0);
        }
        // A second click re-arranges without opening the runs twice.
        const std::size_t open = reg.runs().size();
        m_window->tabs()->setCurrentIndex(0);
        panel->openButton()->click();
        QCOMPARE(reg.runs().size(), open);
        QCOMPARE(m_window->tabs()->currentWidget(), m_window->pages().page(lesson->view.tab));
    }

    void extrapolationShowsAlibiFlatSinusoidalRising() {
        QVERIFY(m_lessons->panel()->openLesson("extrapolation"));
        const std::vector<int>& ids = m_lessons->panel()->opener()->runIds();
        const auto alibi = ExtrapolationView::lengthCurve(*m_window->registry().find(ids[0]));
        const auto sinusoidal = ExtrapolationView::lengthCurve(*m_window->registry().find(ids[1]));
        QCOMPARE(alibi.size(), std::size_t(5));
        QCOMPARE(sinusoidal.size(), std::size_t(5));
        QCOMPARE(alibi.front().first, 64);
        QCOMPARE(alibi.back().first, 512);
        double lo = 1e9, hi = -1e9;
        for (const auto& p : alibi) lo = std::min(lo, p.second), hi = std::max(hi, p.second);
        QVERIFY(hi - lo < 0.03); // flat
        for (std::size_t i = 1; i < sinusoidal.size(); ++i)
            QVERIFY(sinusoidal[i].second > sinusoidal[i - 1].second);
        QVERIFY(sinusoidal.back().second - sinusoidal.front().second > 0.4); // rising
        QCOMPARE(m_window->extrapolationView()->lengthPlot()->graphCount(), 2);
    }

    void evaluateLengthsStoresInTheRun() {
        QTemporaryDir dir;
        const QString copy = dir.filePath("alibi-copy.attnrun");
        QVERIFY(QFile::copy(LessonOpener::samplePath("extrap-alibi"), copy));
        QFile::setPermissions(copy, QFile::ReadOwner | QFile::WriteOwner);
        const int id = m_window->openRunFile(copy);
        QVERIFY(id);
        ExtrapolationView* view = m_window->extrapolationView();
        QSignalSpy done(view, &ExtrapolationView::evaluationFinished);
        QVERIFY(view->evaluate(id, {48, 80}, true, 1024));
        QVERIFY(view->isBusy());
        QVERIFY(done.wait(60000));
        // In the app and in the file, beside the five evaluations it shipped with.
        const auto curve = ExtrapolationView::lengthCurve(*m_window->registry().find(id));
        QCOMPARE(curve.size(), std::size_t(7));
        QCOMPARE(RunReader(copy.toStdString()).evals().size(), std::size_t(7));
        QVERIFY(view->positionLosses().count(id));
        QCOMPARE(view->positionLosses().at(id).loss.size(), std::size_t(80));
        QCOMPARE(view->positionPlot()->graphCount(), 1);
    }

    void valueResidualView() {
        QVERIFY(m_lessons->panel()->openLesson("value-residual"));
        ValueResidualView* view = m_window->valueResidualView();
        view->flushUpdates();
        QCOMPARE(view->cacheTable()->rowCount(), 2);
        QCOMPARE(view->cacheTable()->item(0, 2)->text(), QString("3072")); // 2·6·64·4 (docs/experiments.md)
        QVERIFY(view->layerChart(5));
        QVERIFY(view->layerChart(5)->visiblePointCount() > 0);
        ModelConfig sv;
        sv.layers = 6, sv.dModel = 64, sv.valueResidual = ValueResidual::SVFormer;
        QCOMPARE(kvCacheBytesPerToken(sv, 128), 1792.0);
        ModelConfig ls;
        ls.layers = 4, ls.dModel = 64, ls.heads = 4, ls.lsAttention = true, ls.globalHeads = 1,
        ls.window = 16;
        QCOMPARE(kvCacheBytesPerToken(ls, 256), 608.0);
    }

    void probeLengthsAreMarked() {
        // The entropy-collapse samples are probed on 32 tokens, the logit-growth ones on 64.
        QVERIFY(m_lessons->panel()->openLesson("entropy-collapse"));
        QVERIFY(m_lessons->panel()->openLesson("logit-growth"));
        // A lesson hides the runs of others; shown again, the four runs mix two probe lengths.
        RunRegistry& reg = m_window->registry();
        QCOMPARE(reg.runs().size(), std::size_t(4));
        int visible = 0;
        for (const auto& r : reg.runs()) visible += r->visible;
        QCOMPARE(visible, 2);
        for (const auto& r : reg.runs()) reg.setVisible(r->id, true);
        EntropyView* view = m_window->entropyView();
        view->setMetric(EntropyView::Metric::Entropy);
        view->flushUpdates();
        auto* warning = view->findChild<QLabel*>("probeLengthWarning");
        QVERIFY(warning && !warning->isHidden());
        QVERIFY(warning->text().contains("T = 32") && warning->text().contains("T = 64"));
        view->setMetric(EntropyView::Metric::Normalized);
        view->flushUpdates();
        QVERIFY(warning->isHidden());
    }

    void chartsExplainThemselves() {
        int captions = 0;
        for (ChartCaption* c : m_window->findChildren<ChartCaption*>()) {
            const ChartHelp help = chartHelp(c->key());
            QVERIFY2(!help.isEmpty(), qPrintable(c->key()));
            QVERIFY(c->text().contains("What am I seeing?"));
            QVERIFY(c->toolTip().contains("Formula") && c->toolTip().contains("Units"));
            ++captions;
        }
        QVERIFY(captions >= 15);
        for (const char* metric : {"entropy", "norm-entropy", "max-logit", "sink-score", "key-profile",
                                   "sigma", "gamma", "importance-entropy", "update-ratio"})
            QVERIFY2(!chartHelp(metric).formula.isEmpty(), metric);
    }

private:
    std::unique_ptr<MainWindow> m_window;
    LessonsController* m_lessons = nullptr;
};

QTEST_MAIN(TestLessons)
#include "tst_gui_lessons.moc"
