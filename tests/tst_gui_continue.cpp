// Continue and fork from the app: a run stopped in the app continues from its checkpoint in its
// own file bit-identically to `attnscope-cli resume` on a copy of the same file; a fork from a checkpoint
// with another learning rate is a new file recorded as the parent's child (Provenance shows the lineage);
// a fork that would change the parameter layout is refused with a message.
#include "core/run/run_driver.h"
#include "core/store/run_reader.h"
#include "gui/app/fork_dialog.h"
#include "gui/app/main_window.h"
#include "gui/app/new_run_panel.h"
#include "gui/app/run_actions.h"
#include "gui/inspect/provenance_panel.h"
#include "gui/session/run_registry.h"
#include "gui/session/session_manager.h"
#include "gui/session/training_session.h"
#include "helpers/gui/new_run_form.h"
#include "helpers/gui/test_settings.h"

#include <QComboBox>
#include <QFile>
#include <QFileInfo>
#include <QLineEdit>
#include <QProcess>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <cstring>

using namespace attnscope;
using namespace attnscope::gui;
using namespace attnscope::test;

namespace {

std::vector<double> losses(const QString& path) {
    std::vector<double> out;
    for (const StepRecord& r : RunReader(path.toStdString()).steps()) out.push_back(r.loss);
    return out;
}

bool sameBits(const std::vector<double>& a, const std::vector<double>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

// `attnscope-cli resume PATH` when the CLI is built, else the driver it runs (RunDriver::continueRun).
void resumeLikeTheCli(const QString& path) {
    QString cli = qEnvironmentVariable("ATTNSCOPE_CLI");
    if (cli.isEmpty()) cli = QCoreApplication::applicationDirPath() + "/../cli/attnscope-cli";
    if (QFileInfo(cli).isExecutable()) {
        QProcess p;
        p.start(cli, {"resume", path, "--quiet"});
        QVERIFY(p.waitForFinished(60000));
        QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
        return;
    }
    auto driver = RunDriver::continueRun(path.toStdString());
    driver->start();
    QCOMPARE(driver->wait().status, RunStatus::Finished);
}

} // namespace

class TestGuiContinue : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

private slots:
    void initTestCase() {
        test::useIsolatedSettings();
        QVERIFY(m_dir.isValid());
    }

    void continueMatchesCliResumeAndForkIsAChild() {
        MainWindow w;
        w.sessions().setRunDirectory(m_dir.path());
        setTinyRun(w.newRunPanel(), 300, "stopped", 10);
        field<QSpinBox>(w.newRunPanel(), "train.threads")->setValue(1);
        const int id = w.newRunPanel()->start();
        QVERIFY(id);
        QTRY_VERIFY_WITH_TIMEOUT(w.registry().find(id)->lastStep() >= 12, 30000);
        w.sessions().stop(id);
        QTRY_COMPARE_WITH_TIMEOUT(w.registry().find(id)->status, RunStatus::Stopped, 30000);
        const int stoppedAt = w.registry().find(id)->lastStep();
        QVERIFY(stoppedAt < 300);
        const QString path = w.registry().find(id)->filePath;
        QTRY_VERIFY_WITH_TIMEOUT(!w.registry().find(id)->checkpointSteps.empty(), 10000);
        const int checkpoint = w.registry().find(id)->checkpointSteps.back();

        // The CLI resumes a copy of the stopped file; the app continues the file itself.
        const QString copy = m_dir.filePath("copy.attnrun");
        QVERIFY(QFile::copy(path, copy));
        for (const char* part : {"-wal", "-shm"}) // the stopped run's records may still be in the WAL
            if (QFile::exists(path + part)) QVERIFY(QFile::copy(path + part, copy + part));
        resumeLikeTheCli(copy);

        const QColor colour = w.registry().find(id)->color;
        const int live = w.runActions()->continueRun(id);
        QVERIFY(live);
        QVERIFY(!w.registry().find(id)); // the stopped entry became the live one
        const RunData* run = w.registry().find(live);
        QCOMPARE(run->name, QString("stopped"));
        QCOMPARE(run->color, colour);
        QCOMPARE(run->filePath, path);
        QVERIFY(run->steps.size() >= std::size_t(checkpoint)); // the history up to the checkpoint is shown
        QTRY_COMPARE_WITH_TIMEOUT(w.registry().find(live)->status, RunStatus::Finished, 60000);
        QCOMPARE(w.registry().find(live)->lastStep(), 300);
        // The file is complete once the session has finished (its driver flushed the last records).
        QTRY_VERIFY_WITH_TIMEOUT(w.sessions().session(live)->hasFinished(), 30000);
        const std::vector<double> app = losses(path), cli = losses(copy);
        QCOMPARE(app.size(), std::size_t(300));
        QVERIFY2(sameBits(app, cli), "continuing in the app differs from attnscope-cli resume");

        // Fork from the first checkpoint with a lower learning rate.
        const double lr = w.registry().find(live)->spec.train.lr;
        const int child = w.runActions()->fork(live, 10, [lr](RunSpec& s) {
            s.name = "forked";
            s.train.lr = lr / 4;
        });
        QVERIFY(child);
        const RunData* forked = w.registry().find(child);
        QCOMPARE(forked->name, QString("forked"));
        QVERIFY(forked->filePath != path);
        QTRY_COMPARE_WITH_TIMEOUT(w.registry().find(child)->status, RunStatus::Finished, 60000);
        QTRY_VERIFY_WITH_TIMEOUT(w.sessions().session(child)->hasFinished(), 30000);
        {
            const RunReader reader(forked->filePath.toStdString());
            QCOMPARE(QString::fromStdString(reader.meta("parent_run")), path);
            QCOMPARE(reader.meta("parent_step"), std::string("10"));
        }
        QCOMPARE(w.registry().find(child)->spec.train.lr, lr / 4);
        const std::vector<double> childLosses = losses(forked->filePath);
        QVERIFY(!childLosses.empty());
        QVERIFY(childLosses.back() != app.back()); // another learning rate, another run
        w.registry().setSelected(child);
        auto* provenance = w.findChild<ProvenancePanel*>();
        QVERIFY(provenance);
        QVERIFY2(provenance->text().contains(QFileInfo(path).completeBaseName() + " at step 10 → this run"),
                 qPrintable(provenance->text()));

        // A change of the parameter layout is refused, with the reason.
        QSignalSpy messages(w.runActions(), &RunActions::message);
        QCOMPARE(w.runActions()->fork(live, 10, [](RunSpec& s) { s.model.qkNorm = true; }), 0);
        QVERIFY(!messages.isEmpty());
        QVERIFY2(messages.last().at(0).toString().startsWith("Cannot fork"),
                 qPrintable(messages.last().at(0).toString()));
    }

    // The fork dialog offers what the engine can change without touching the parameters or the optimiser's
    // state: ReLU attention is accepted (and recorded in the child's header); another optimiser is refused
    // by the engine with its reason, and the dialog does not offer it.
    void forkDialogOffersWhatTheEngineAccepts() {
        MainWindow w;
        w.sessions().setRunDirectory(m_dir.path());
        setTinyRun(w.newRunPanel(), 20, "softmax-parent", 10);
        field<QSpinBox>(w.newRunPanel(), "train.threads")->setValue(1);
        const int id = w.newRunPanel()->start();
        QVERIFY(id);
        QTRY_VERIFY_WITH_TIMEOUT(w.sessions().session(id)->hasFinished(), 30000);
        const RunData* run = w.registry().find(id);
        QCOMPARE(run->checkpointSteps, (std::vector<int>{10, 20}));

        ForkDialog dialog(run->name, run->spec, run->checkpointSteps);
        QVERIFY(!dialog.momentumBox()->isEnabled()); // an AdamW run: no momentum, no optimiser choice
        QVERIFY(dialog.findChildren<QComboBox*>(QStringLiteral("fork.optimizer")).isEmpty());
        dialog.checkpointBox()->setCurrentIndex(dialog.checkpointBox()->findData(10));
        dialog.attentionBox()->setCurrentIndex(dialog.attentionBox()->findData(int(AttentionFunction::Relu)));
        dialog.findChild<QSpinBox*>(QStringLiteral("fork.steps"))->setValue(30);
        QVERIFY2(dialog.changes().contains("ReLU attention"), qPrintable(dialog.changes()));
        const int child = w.runActions()->fork(id, dialog.fromStep(), [&](RunSpec& s) { dialog.apply(s); });
        QVERIFY(child);
        QTRY_VERIFY_WITH_TIMEOUT(w.sessions().session(child)->hasFinished(), 30000);
        {
            const RunReader reader(w.registry().find(child)->filePath.toStdString());
            QCOMPARE(reader.spec().model.attention, AttentionFunction::Relu);
            QCOMPARE(reader.meta("parent_step"), std::string("10"));
            QCOMPARE(reader.steps().back().step, 30);
        }

        QSignalSpy messages(w.runActions(), &RunActions::message);
        QCOMPARE(w.runActions()->fork(id, 10,
                                      [](RunSpec& s) {
                                          s.name = "sgd-child";
                                          s.train.optimizer = OptimizerKind::Sgd;
                                      }),
                 0);
        QVERIFY(!messages.isEmpty());
        const QString refused = messages.last().at(0).toString();
        QVERIFY2(refused.startsWith("Cannot fork") && refused.contains("optimiser changes from adamw to sgd"),
                 qPrintable(refused));
    }
};

QTEST_MAIN(TestGuiContinue)
#include "tst_gui_continue.moc"
