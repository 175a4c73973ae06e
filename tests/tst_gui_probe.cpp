// "Probe text" tab: a typed text through the selected run's checkpoint nearest to the timeline's
// step, shown in the attention grid and the metric tables; the messages for texts and runs that cannot be
// probed; the worker's latest-request-wins rule; and a run training live in the app.
#include "core/hf/hf_checkpoint.h"
#include "core/hf/hf_forward.h"
#include "core/hf/hf_import.h"
#include "core/store/run_reader.h"
#include "core/store/run_writer.h"
#include "gui/app/main_window.h"
#include "gui/attention/attention_grid_canvas.h"
#include "gui/attention/attention_grid_view.h"
#include "gui/attention/attention_heatmap.h"
#include "gui/export/export_dialog.h"
#include "gui/inspect/inspect_controller.h"
#include "gui/probe/probe_head_model.h"
#include "gui/probe/probe_presets.h"
#include "gui/probe/probe_result_view.h"
#include "gui/probe/probe_text_panel.h"
#include "gui/probe/probe_token_model.h"
#include "gui/probe/text_probe_runner.h"
#include "gui/session/run_registry.h"
#include "gui/session/session_manager.h"
#include "gui/widgets/step_timeline.h"
#include "helpers/gui/test_settings.h"
#include "helpers/hf_fixtures.h"
#include "helpers/test_paths.h"

#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QComboBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <nlohmann/json.hpp>

using namespace attnscope;
using namespace attnscope::gui;

namespace {

const QString kSample = QString::fromStdString(test::sourceDir() + "/sample_runs/extrap-alibi.attnrun");

ProbeTextPanel* probePanel(MainWindow& w) {
    auto* inspect = w.findChild<InspectController*>();
    if (!inspect || !inspect->probePanel()) qFatal("no probe panel");
    w.tabs()->setCurrentWidget(inspect->probePanel());
    return inspect->probePanel();
}

StepTimeline* timeline(MainWindow& w) {
    return w.findChild<InspectController*>()->timeline();
}

// A run file with one snapshot-free history and, when given, a checkpoint of step 60 holding `checkpoint`.
QString writeRun(const QString& path, const std::vector<std::uint8_t>& checkpoint) {
    RunHeader header;
    RunSpec spec;
    spec.name = QFileInfo(path).completeBaseName().toStdString();
    header.specJson = toJson(spec).dump();
    header.corpusName = "unit";
    header.tokenizerJson = Tokenizer::fromText("abcdefghijklmnopqrstuvwxyz ").toJson();
    RunWriter w = RunWriter::create(path.toStdString(), header);
    std::vector<StepRecord> steps(60);
    for (int s = 0; s < 60; ++s) steps[std::size_t(s)].step = s + 1, steps[std::size_t(s)].loss = 3.0;
    w.appendSteps(steps);
    if (!checkpoint.empty()) w.saveCheckpoint(60, checkpoint);
    w.setStatus(RunStatus::Finished, 60);
    return path;
}

bool waitForResult(QSignalSpy& spy) {
    if (spy.isEmpty() && !spy.wait(60000)) return false;
    return spy.takeFirst().at(0).toBool();
}

} // namespace

class TestGuiProbe : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

private slots:
    void initTestCase() {
        test::useIsolatedSettings();
        QVERIFY(m_dir.isValid());
    }

    // A run imported from Hugging Face folders (attnscope-cli import, File › Open model…): a typed text is
    // encoded by the model's own tokenizer.json and read by the model folder of the timeline's step; the
    // result is what the import path computes on those ids. A moved folder is said, not crashed on.
    void textThroughAnImportedModel() {
        const QString series = m_dir.filePath(QStringLiteral("tiny-gpt2"));
        const std::string early = (series + "/step100").toStdString(),
                          late = (series + "/step200").toStdString();
        test::writeTinyGpt2(early, true, 1);
        test::writeTinyGpt2(late, true, 2);
        hf::ImportRequest request;
        request.folders = {late, early};
        request.out = m_dir.filePath(QStringLiteral("imported.attnrun")).toStdString();
        hf::importCheckpoints(request);
        MainWindow w;
        const int id = w.openRunFile(QString::fromStdString(request.out));
        QVERIFY(id);
        w.registry().setSelected(id);
        ProbeTextPanel* panel = probePanel(w);
        timeline(w)->setStep(100);
        QVERIFY2(panel->checkpointText().contains(QStringLiteral("step100")),
                 qPrintable(panel->checkpointText()));
        QVERIFY(panel->presets()->count() > 2); // "Presets…", the recorded text, the repeated sentence
        const std::string text = "the cat sat on the mat; the cat";
        panel->setText(QString::fromStdString(text));
        QVERIFY2(panel->probeButton()->isEnabled(), qPrintable(panel->inputText()));
        QSignalSpy done(panel, &ProbeTextPanel::probeFinished);
        panel->probe();
        QVERIFY2(waitForResult(done), qPrintable(panel->messageText()));
        const std::vector<std::int32_t> ids = hf::folderTokenizer(early)->encode(text);
        QVERIFY(ids.size() < text.size()); // "th" is one token
        const TextProbeResult expected = hf::probeHfModel(hf::HfCheckpoint(early), ids, 100);
        const SnapshotPtr got = panel->result()->snapshot();
        QVERIFY(got);
        QCOMPARE(got->tokens, ids);
        QCOMPARE(got->step, 100);
        QCOMPARE(got->attention.size(), expected.snapshot->attention.size());
        for (std::size_t k = 0; k < got->attention.size(); ++k) // another thread count: sums in another order
            QVERIFY(std::abs(got->attention[k] - expected.snapshot->attention[k]) <= 1e-5f);
        QVERIFY2(panel->messageText().contains(QStringLiteral("model of step 100")),
                 qPrintable(panel->messageText()));
        // The later step reads the later folder; a folder moved away is named as the reason.
        timeline(w)->setStep(200);
        QVERIFY2(panel->checkpointText().contains(QStringLiteral("step200")),
                 qPrintable(panel->checkpointText()));
        QVERIFY(QDir(QString::fromStdString(late)).removeRecursively());
        timeline(w)->setStep(150);
        timeline(w)->setStep(200);
        QVERIFY2(panel->checkpointText().contains(QStringLiteral("no longer there")),
                 qPrintable(panel->checkpointText()));
        QVERIFY(!panel->probeButton()->isEnabled());
    }

    // The pre-filled induction text is written in the selected run's vocabulary: selecting another run
    // replaces it (a text the user typed stays).
    void presetTextFollowsTheSelectedRun() {
        MainWindow w;
        const int sample = w.openRunFile(kSample); // a character vocabulary of English text
        const int induction = w.openRunFile(       // the letters a–p and ';'
            QString::fromStdString(test::sourceDir() + "/sample_runs/induction.attnrun"));
        QVERIFY(sample && induction);
        ProbeTextPanel* panel = probePanel(w);
        w.registry().setSelected(sample);
        const QString first = panel->textEdit()->toPlainText();
        QVERIFY(!first.isEmpty());
        w.registry().setSelected(induction);
        const QString second = panel->textEdit()->toPlainText();
        QVERIFY2(second != first, qPrintable(second));
        std::size_t unknown = 0;
        const RunData* run = w.registry().find(induction);
        run->tokenizer->encode(second.toStdString(), &unknown);
        QCOMPARE(unknown, std::size_t(0));
        panel->setText(QStringLiteral("my own text"));
        w.registry().setSelected(sample);
        QCOMPARE(panel->textEdit()->toPlainText(), QStringLiteral("my own text"));
    }

    void probesTheNearestCheckpointIntoTheGrid() {
        MainWindow w;
        const int id = w.openRunFile(kSample);
        QVERIFY(id);
        ProbeTextPanel* panel = probePanel(w);
        w.show();
        // The sample keeps only its final checkpoint (800); the timeline selects the snapshot of step 400.
        timeline(w)->setStep(400);
        QCOMPARE(timeline(w)->step(), 400);
        QVERIFY2(panel->checkpointText().contains("step 800, the nearest to the selected step 400"),
                 qPrintable(panel->checkpointText()));
        QVERIFY2(!panel->textEdit()->toPlainText().isEmpty(), "a preset fills an empty box");

        AttentionGridView* grid = panel->result()->grid();
        QAbstractItemModelTester headTester(panel->result()->headModel(),
                                            QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester tokenTester(panel->result()->tokenModel(),
                                             QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(grid->grid()->layers(), 0);
        const QString text = "the cat sat on the mat";
        panel->setText(text);
        QVERIFY2(panel->inputText().startsWith("22 tokens of at most 256"), qPrintable(panel->inputText()));
        QSignalSpy spy(panel, &ProbeTextPanel::probeFinished);
        QVERIFY(panel->probeButton()->isEnabled());
        panel->probeButton()->click();
        QVERIFY2(waitForResult(spy), qPrintable(panel->messageText()));

        // The grid shows the probe: every layer × head, the typed text as labels, the checkpoint's step.
        const SnapshotPtr s = panel->result()->snapshot();
        QVERIFY(s);
        QCOMPARE(s->step, 800);
        QCOMPARE(s->length, int(text.size()));
        QCOMPARE(grid->grid()->layers(), 4);
        QCOMPARE(grid->grid()->heads(), 4);
        const RunData* run = w.registry().find(id);
        QCOMPARE(QString::fromStdString(run->tokenizer->decode(s->tokens)), text);
        QVERIFY2(grid->heatmap()->cellToolTip(4, 4).contains("‘c’"),
                 qPrintable(grid->heatmap()->cellToolTip(4, 4)));
        QVERIFY2(panel->messageText().contains("step 800 — not the selected step 400"),
                 qPrintable(panel->messageText()));

        // Metrics and predictions fill their tables; the head table and the grid select together.
        QCOMPARE(panel->result()->headModel()->rowCount(), 16);
        QCOMPARE(panel->result()->tokenModel()->rowCount(), int(text.size()));
        panel->result()->headTable()->selectRow(6); // layer 1, head 2 in layer-major order
        QCOMPARE(grid->selectedLayer(), 1);
        QCOMPARE(grid->selectedHead(), 2);
        QCOMPARE(grid->heatmap()->layer(), 1);
        QCOMPARE(grid->heatmap()->head(), 2);
        emit grid->grid()->headClicked(3, 1); // a click on a thumbnail enlarges it and selects its row
        QCOMPARE(grid->heatmap()->layer(), 3);
        const QModelIndex current = panel->result()->headTable()->currentIndex();
        QCOMPARE(current.data(ProbeHeadModel::LayerRole).toInt(), 3);
        QCOMPARE(current.data(ProbeHeadModel::HeadRole).toInt(), 1);

        // File > Export figure on this tab exports the probe (not the recorded snapshot): its selected head,
        // with the side-car holding exactly the probe's map.
        const auto dialog = w.findChild<InspectController*>()->exportDialog();
        QVERIFY(dialog);
        QCOMPARE(dialog->request().view, figures::FigureView::Attention);
        QCOMPARE(dialog->request().layer, 3);
        QCOMPARE(dialog->request().head, 1);
        const QString png = m_dir.filePath("probe.png");
        dialog->setPath(png);
        QString error;
        QVERIFY2(dialog->exportNow(&error), qPrintable(error));
        QFile npy(m_dir.filePath("probe.npy"));
        QVERIFY(npy.open(QIODevice::ReadOnly));
        const QByteArray bytes = npy.readAll();
        const int header = quint8(bytes[8]) | (quint8(bytes[9]) << 8);
        const std::size_t cells = std::size_t(s->length) * s->length;
        QCOMPARE(std::size_t(bytes.size() - 10 - header), cells * sizeof(float));
        const float* exported = reinterpret_cast<const float*>(bytes.constData() + 10 + header);
        const float* map = s->map(3, 1);
        for (std::size_t i = 0; i < cells; ++i) QCOMPARE(exported[i], map[i]);
    }

    void inputMessages() {
        MainWindow w;
        QVERIFY(w.openRunFile(kSample));
        ProbeTextPanel* panel = probePanel(w);
        QSignalSpy spy(panel, &ProbeTextPanel::probeFinished);

        panel->setText("");
        QVERIFY2(panel->inputText().contains("Type a text"), qPrintable(panel->inputText()));
        QVERIFY(!panel->probeButton()->isEnabled());
        panel->probe(); // e.g. Ctrl+Enter: refused at once, with the reason
        QCOMPARE(spy.count(), 1);
        QCOMPARE(spy.takeFirst().at(0).toBool(), false);
        QVERIFY(panel->messageText().contains("Type a text"));

        panel->setText("abc\u20ac"); // the euro sign is not in the fortunes' bytes
        QVERIFY2(
            panel->inputText().contains("1 character(s) not in the run's vocabulary, read as <unk>: “€”"),
            qPrintable(panel->inputText()));
        QVERIFY(panel->probeButton()->isEnabled());

        panel->setText(QString(300, QLatin1Char('a'))); // ALiBi at L=64: up to 4 × 64 tokens
        QVERIFY2(panel->inputText().contains("the last 44 tokens are cut off"),
                 qPrintable(panel->inputText()));
        QVERIFY2(panel->inputText().contains("beyond the training context"), qPrintable(panel->inputText()));

        panel->setText("\u20ac\u20ac");
        QVERIFY2(panel->inputText().contains("no character the vocabulary knows"),
                 qPrintable(panel->inputText()));
        QVERIFY(!panel->probeButton()->isEnabled());
    }

    void runsThatCannotBeProbed() {
        MainWindow w;
        ProbeTextPanel* panel = probePanel(w);
        QVERIFY2(panel->checkpointText().contains("Select a run"), qPrintable(panel->checkpointText()));

        // A run recorded without any checkpoint says why it cannot be probed.
        QVERIFY(w.openRunFile(writeRun(m_dir.filePath("bare.attnrun"), {})));
        QVERIFY2(panel->checkpointText().contains("has no checkpoint in its file"),
                 qPrintable(panel->checkpointText()));
        panel->setText("abc");
        QVERIFY(!panel->probeButton()->isEnabled());

        // A damaged checkpoint and one of another model are errors on screen, not crashes.
        QSignalSpy spy(panel, &ProbeTextPanel::probeFinished);
        QVERIFY(
            w.openRunFile(writeRun(m_dir.filePath("corrupt.attnrun"), std::vector<std::uint8_t>(300, 7))));
        panel->setText("abc");
        QVERIFY(panel->probeButton()->isEnabled());
        panel->probeButton()->click();
        QVERIFY(!waitForResult(spy));
        QVERIFY2(panel->messageText().startsWith("Probe of “corrupt” failed:"),
                 qPrintable(panel->messageText()));

        const std::vector<std::uint8_t> alibi = RunReader(kSample.toStdString()).checkpoint(800);
        QVERIFY(w.openRunFile(writeRun(m_dir.filePath("other.attnrun"), alibi)));
        panel->probeButton()->click();
        QVERIFY(!waitForResult(spy));
        QVERIFY2(panel->messageText().contains("architecture mismatch"), qPrintable(panel->messageText()));
        QVERIFY(!panel->result()->hasResult());
    }

    void presetsFitTheRun() {
        // Every preset is written in the run's vocabulary and fits the model whole.
        const Tokenizer fortunes =
            Tokenizer::fromJson(RunReader(kSample.toStdString()).header().tokenizerJson);
        const Tokenizer task = Tokenizer::fromSymbols({"0", "1", "2", "3", "4", "5", "6", "7", "|", ";"});
        ModelConfig model;
        model.context = 16;
        for (const Tokenizer* tok : {&fortunes, &task})
            for (const bool bos : {false, true}) {
                const std::vector<ProbePreset> presets = probePresets(*tok, {5, 6, 7, 5, 6, 7}, 16, bos);
                QVERIFY(presets.size() >= 3);
                for (const ProbePreset& p : presets) {
                    const ProbeText in = encodeProbeInput(*tok, p.text.toStdString(), model, bos);
                    QVERIFY2(in.unknown == 0 && in.dropped == 0, qPrintable(p.name + ": " + p.text));
                    if (p.name.startsWith("Repeated")) QVERIFY2(!p.text.contains('|'), qPrintable(p.text));
                }
            }
    }

    void latestRequestWins() {
        const Tokenizer tok = Tokenizer::fromJson(RunReader(kSample.toStdString()).header().tokenizerJson);
        TextProbeRunner runner;
        QSignalSpy spy(&runner, &TextProbeRunner::finished);
        QSignalSpy busy(&runner, &TextProbeRunner::busyChanged);
        for (const char* text : {"first text", "second", "third and last"}) {
            TextProbeRequest r;
            r.filePath = kSample;
            r.selectedStep = 800;
            r.tokens = tok.encode(text);
            r.vocabulary = tok.vocabSize();
            runner.submit(std::move(r));
            QVERIFY(runner.isBusy());
        }
        QTRY_VERIFY_WITH_TIMEOUT(!runner.isBusy(), 60000);
        // The first probe ran to its end but was dropped; the second was replaced before it started.
        QCOMPARE(spy.count(), 1);
        const auto outcome = spy.at(0).at(0).value<TextProbeOutcome>();
        QVERIFY2(outcome.ok(), qPrintable(outcome.error));
        QCOMPARE(outcome.request.tokens, tok.encode("third and last"));
        QCOMPARE(outcome.result.snapshot->tokens, tok.encode("third and last"));
        QCOMPARE(busy.count(), 2); // busy once, idle once
    }

    void probesARunTrainingLive() {
        MainWindow w;
        w.sessions().setRunDirectory(m_dir.path());
        RunSpec spec;
        spec.name = "live";
        spec.model.layers = 2, spec.model.heads = 2, spec.model.dModel = 32, spec.model.context = 16;
        spec.data.source = "task", spec.data.task = "copy", spec.data.taskAlphabet = 8;
        spec.train.batch = 4, spec.train.steps = 1000000, spec.train.threads = 1;
        spec.train.recordEvery = 5, spec.train.evalEvery = 50, spec.train.checkpointEvery = 20;
        QString error;
        const int id = w.sessions().start(spec, &error);
        QVERIFY2(id, qPrintable(error));
        ProbeTextPanel* panel = probePanel(w);
        const RunData* run = w.registry().find(id);
        QVERIFY(run->live);
        // Until its first checkpoint, the panel says when it comes.
        if (run->checkpointSteps.empty())
            QVERIFY2(panel->checkpointText().contains("no checkpoint yet: its first is written at step 20"),
                     qPrintable(panel->checkpointText()));
        QTRY_VERIFY_WITH_TIMEOUT(run->checkpointSteps.size() >= 2, 60000);
        QVERIFY2(panel->checkpointText().startsWith("Checkpoint of step"),
                 qPrintable(panel->checkpointText()));

        // The preset box was filled with the task's symbols; the checkpoint comes from the file being
        // recorded.
        QSignalSpy spy(panel, &ProbeTextPanel::probeFinished);
        panel->probeButton()->click();
        QVERIFY2(waitForResult(spy), qPrintable(panel->messageText()));
        const int first = panel->result()->snapshot()->step;
        QVERIFY(first >= 20 && first % 20 == 0);
        QVERIFY(RunReader(run->filePath.toStdString()).checkpointSteps().size() >= 1);

        // The presets gain the recorded probe text once the first snapshot has arrived.
        QTRY_VERIFY_WITH_TIMEOUT(panel->presets()->findText("Recorded probe text") > 0, 10000);

        // Following the timeline probes again as the run writes newer checkpoints.
        panel->followBox()->setChecked(true);
        QTRY_VERIFY_WITH_TIMEOUT(panel->result()->snapshot()->step > first, 60000);
        w.sessions().stop(id);
        QTRY_VERIFY_WITH_TIMEOUT(!run->isActive(), 30000);
    }
};

QTEST_MAIN(TestGuiProbe)
#include "tst_gui_probe.moc"
