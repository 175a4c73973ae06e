// The New-run form's controls for the sink regime (Guo et al. 2024): softmax or ReLU attention,
// AdamW or SGD with momentum, BOS-aligned text sequences and the Bigram-Backcopy task's triggers. The presets
// fill them, each explains itself in a tooltip, options of another choice are disabled, a run started from
// the form records them in its header, and what the engine cannot build is refused at Start with the reason.
#include "core/store/run_reader.h"
#include "gui/app/main_window.h"
#include "gui/app/new_run_panel.h"
#include "gui/session/run_registry.h"
#include "gui/session/session_manager.h"
#include "gui/session/training_session.h"
#include "helpers/gui/new_run_form.h"
#include "helpers/gui/test_settings.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFile>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace attnscope;
using namespace attnscope::gui;
using namespace attnscope::test;

class TestNewRunForm : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

    // A small text with two documents (separated by a blank line) and few distinct characters.
    QString writeText(const QString& name, const QByteArray& text) {
        const QString path = m_dir.filePath(name);
        QFile f(path);
        if (f.open(QIODevice::WriteOnly)) f.write(text);
        return path;
    }
    static void selectPreset(NewRunPanel* panel, const QString& id) {
        auto* presets = field<QComboBox>(panel, "preset");
        const int i = presets->findText(id);
        QVERIFY2(i >= 0, qPrintable(id));
        presets->setCurrentIndex(i);
    }
    static int enumOf(NewRunPanel* panel, const char* name) {
        return field<QComboBox>(panel, name)->currentData().toInt();
    }

private slots:
    void initTestCase() {
        test::useIsolatedSettings();
        QVERIFY(m_dir.isValid());
    }

    void presetsFillTheControls() {
        MainWindow w;
        NewRunPanel* p = w.newRunPanel();
        selectPreset(p, "sinks/bigram-backcopy-relu");
        QCOMPARE(enumOf(p, "model.attention"), int(AttentionFunction::Relu));
        QCOMPARE(field<QComboBox>(p, "data.task")->currentText(), QString("bigram-backcopy"));
        QVERIFY(field<QSpinBox>(p, "data.taskTriggers")->isEnabled());
        QCOMPARE(field<QSpinBox>(p, "data.taskTriggers")->value(), 3);
        QVERIFY(!field<QSpinBox>(p, "data.taskAlphabet")->isEnabled()); // the chain comes from a text
        QVERIFY(field<QLineEdit>(p, "data.path")->isEnabled());         // optional text for the chain
        QVERIFY(field<QCheckBox>(p, "data.bos")->isChecked());
        QVERIFY(!field<QCheckBox>(p, "data.bosAligned")->isEnabled()); // tasks are always aligned

        selectPreset(p, "sinks/bigram-backcopy-sgd");
        QCOMPARE(enumOf(p, "model.attention"), int(AttentionFunction::Softmax));
        QCOMPARE(enumOf(p, "train.optimizer"), int(OptimizerKind::Sgd));
        QCOMPARE(field<QDoubleSpinBox>(p, "train.momentum")->value(), 0.9);
        QVERIFY(field<QDoubleSpinBox>(p, "train.momentum")->isEnabled());
        for (const char* adamOnly : {"train.beta1", "train.beta2", "train.eps"})
            QVERIFY2(!field<QDoubleSpinBox>(p, adamOnly)->isEnabled(), adamOnly);
        QCOMPARE(p->spec().train.optimizer, OptimizerKind::Sgd); // what Start would train

        selectPreset(p, "baseline");
        QCOMPARE(enumOf(p, "train.optimizer"), int(OptimizerKind::AdamW));
        QVERIFY(!field<QDoubleSpinBox>(p, "train.momentum")->isEnabled());
        QVERIFY(field<QDoubleSpinBox>(p, "train.beta1")->isEnabled());
        QVERIFY(!field<QSpinBox>(p, "data.taskTriggers")->isEnabled());
        // BOS-aligned text sequences start with <bos>: the box says so and cannot be unticked meanwhile.
        field<QCheckBox>(p, "data.bos")->setChecked(false);
        QVERIFY(field<QCheckBox>(p, "data.bosAligned")->isEnabled());
        field<QCheckBox>(p, "data.bosAligned")->setChecked(true);
        QVERIFY(field<QCheckBox>(p, "data.bos")->isChecked());
        QVERIFY(!field<QCheckBox>(p, "data.bos")->isEnabled());
        QVERIFY(p->spec().data.bosAligned && p->spec().data.bos);
    }

    void tooltipsExplainInPlainWords() {
        MainWindow w;
        NewRunPanel* p = w.newRunPanel();
        for (const char* name : {"model.attention", "train.optimizer"})
            QVERIFY2(field<QComboBox>(p, name)->toolTip().contains("Guo et al."), name);
        QVERIFY(field<QSpinBox>(p, "data.taskTriggers")->toolTip().contains("Guo et al."));
        QVERIFY(field<QCheckBox>(p, "data.bosAligned")->toolTip().contains("Implies <bos>"));
        QVERIFY(field<QDoubleSpinBox>(p, "train.momentum")->toolTip().contains("momentum"));
    }

    // ReLU attention, SGD with momentum 0.8 and the Bigram-Backcopy task with 2 triggers, started from the
    // form: the engine trains them and the run file's header records them.
    void runFromTheFormRecordsTheSettings() {
        MainWindow w;
        w.sessions().setRunDirectory(m_dir.path());
        NewRunPanel* p = w.newRunPanel();
        setTinyRun(p, 10, "relu-sgd");
        QVERIFY(selectData(field<QComboBox>(p, "model.attention"), int(AttentionFunction::Relu)));
        QVERIFY(selectData(field<QComboBox>(p, "train.optimizer"), int(OptimizerKind::Sgd)));
        field<QDoubleSpinBox>(p, "train.momentum")->setValue(0.8);
        field<QComboBox>(p, "data.task")->setCurrentText("bigram-backcopy");
        field<QLineEdit>(p, "data.path")
            ->setText(writeText("chain.txt", "the cat sat on the mat\n\nand then "
                                             "the rat ate the hat\n"));
        field<QSpinBox>(p, "data.taskTriggers")->setValue(2);
        field<QCheckBox>(p, "data.bos")->setChecked(true);
        QVERIFY2(p->problems().isEmpty(), qPrintable(p->problems().join("; ")));
        const int id = p->start();
        QVERIFY2(id, qPrintable(p->message()));
        QTRY_VERIFY_WITH_TIMEOUT(w.sessions().session(id)->hasFinished(), 30000);
        const RunReader reader(w.registry().find(id)->filePath.toStdString());
        const RunSpec spec = reader.spec();
        QCOMPARE(spec.model.attention, AttentionFunction::Relu);
        QCOMPARE(spec.train.optimizer, OptimizerKind::Sgd);
        QCOMPARE(spec.train.momentum, 0.8);
        QCOMPARE(spec.data.task, std::string("bigram-backcopy"));
        QCOMPARE(spec.data.taskTriggers, 2);
        QVERIFY(spec.data.bos);
        QCOMPARE(reader.steps().size(), std::size_t(10));
    }

    void bosAlignedTextRunIsRecorded() {
        MainWindow w;
        w.sessions().setRunDirectory(m_dir.path());
        NewRunPanel* p = w.newRunPanel();
        setTinyRun(p, 5, "aligned");
        QVERIFY(selectData(field<QComboBox>(p, "data.source"), "file"));
        QByteArray text;
        for (int i = 0; i < 40; ++i) text += "a short document about attention sinks\n\n";
        field<QLineEdit>(p, "data.path")->setText(writeText("docs.txt", text));
        field<QCheckBox>(p, "data.bosAligned")->setChecked(true);
        const int id = p->start();
        QVERIFY2(id, qPrintable(p->message()));
        QTRY_VERIFY_WITH_TIMEOUT(w.sessions().session(id)->hasFinished(), 30000);
        const RunSpec spec = RunReader(w.registry().find(id)->filePath.toStdString()).spec();
        QVERIFY(spec.data.bosAligned);
        QVERIFY(spec.data.bos);
    }

    // More triggers than the chain's text has characters: valid field by field, refused at Start with the
    // engine's reason in the panel's message (as every data problem is), and nothing starts.
    void tooManyTriggersAreRefusedWithTheReason() {
        MainWindow w;
        w.sessions().setRunDirectory(m_dir.path());
        NewRunPanel* p = w.newRunPanel();
        setTinyRun(p, 5, "few-chars");
        field<QComboBox>(p, "data.task")->setCurrentText("bigram-backcopy");
        field<QLineEdit>(p, "data.path")->setText(writeText("ab.txt", "abababab\n"));
        field<QSpinBox>(p, "data.taskTriggers")->setValue(5);
        QVERIFY(p->problems().isEmpty());
        QCOMPARE(p->start(), 0);
        QVERIFY2(p->message().startsWith("Could not start") && p->message().contains("triggers"),
                 qPrintable(p->message()));
        QVERIFY(w.registry().runs().empty());
    }
};

QTEST_MAIN(TestNewRunForm)
#include "tst_gui_new_run_form.moc"
