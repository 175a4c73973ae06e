// attnscope-cli end to end: the built binary is run through QProcess on tiny configurations — train, info,
// export-data, eval, bit-identical resume, Ctrl-C, divergence, and the one-line errors of bad input.
#include <QtTest>

#include "core/store/run_writer.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <csignal>
#include <sys/stat.h>

namespace {

struct Result {
    int exitCode = -1;
    bool crashed = false;
    QString out, err;
};

// A 1-layer, d 16 model on the copy task: well under a second per run.
const QStringList kTiny{"--data",    "task:copy", "--layers",  "1", "--d-model", "16",
                        "--context", "16",        "--threads", "1", "--quiet"};

QStringList lines(const QString& text) {
    return text.split('\n', Qt::SkipEmptyParts);
}

} // namespace

class TestCli : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void helpListsEverything();
    void trainInfoAndExport();
    void headsPrintsTheRoleTable();
    void evalExtrapolation();
    void resumeIsBitIdentical();
    void rewindToAnEarlierCheckpointIsBitIdentical();
    void ctrlCStopsCleanly();
    void divergenceIsAResult();
    void badInputFailsWithOneLine_data();
    void badInputFailsWithOneLine();

private:
    Result run(const QStringList& args, int timeoutMs = 60000);
    QString path(const QString& name) const { return m_dir.filePath(name); }
    QString train(const QString& file, const QStringList& extra);
    QStringList csvColumn(const QString& csvPath, int column);

    QString m_cli;
    QTemporaryDir m_dir;
};

void TestCli::initTestCase() {
    m_cli = qEnvironmentVariable("ATTNSCOPE_CLI");
    if (m_cli.isEmpty()) m_cli = QCoreApplication::applicationDirPath() + "/../cli/attnscope-cli";
    QVERIFY2(QFileInfo(m_cli).isExecutable(),
             qPrintable("attnscope-cli not found at " + m_cli + " (build the attnscope-cli target)"));
    QVERIFY(m_dir.isValid());
}

Result TestCli::run(const QStringList& args, int timeoutMs) {
    QProcess p;
    p.setWorkingDirectory(m_dir.path());
    p.start(m_cli, args);
    Result r;
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        r.crashed = true;
    }
    r.crashed = r.crashed || p.exitStatus() != QProcess::NormalExit;
    r.exitCode = p.exitCode();
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

QString TestCli::train(const QString& file, const QStringList& extra) {
    const Result r = run(QStringList{"train"} + kTiny + QStringList{"--force", "--out", path(file)} + extra);
    if (r.crashed || r.exitCode != 0) qWarning() << "train failed:" << r.out << r.err;
    return r.exitCode == 0 && !r.crashed ? path(file) : QString();
}

QStringList TestCli::csvColumn(const QString& csvPath, int column) {
    QFile f(csvPath);
    if (!f.open(QIODevice::ReadOnly)) return {};
    QStringList values;
    for (const QString& line : lines(QString::fromUtf8(f.readAll())).mid(1))
        values << line.split(',').value(column);
    return values;
}

void TestCli::helpListsEverything() {
    const Result r = run({"--help"});
    QCOMPARE(r.exitCode, 0);
    const QStringList commands{"train",   "resume", "eval", "info", "export-data", "export-checkpoint",
                               "presets", "sweep",  "heads"};
    for (const QString& c : commands) {
        QVERIFY2(r.out.contains("  " + c + " "), qPrintable(c));
        const Result help = run({c, "--help"});
        QCOMPARE(help.exitCode, 0);
        QVERIFY(help.out.startsWith("usage: attnscope-cli " + c));
    }
    const Result presets = run({"presets"});
    QCOMPARE(presets.exitCode, 0);
    QVERIFY(presets.out.contains("Experiment: extrapolation"));
    QVERIFY(presets.out.contains("exp-extrapolation/alibi"));
}

// `heads`: one row per head with a role and its scores, at the last snapshot or at --step; the run's role
// changes below; --json the same; a file without snapshots is a one-line error.
void TestCli::headsPrintsTheRoleTable() {
    const QString runFile = train("heads.attnrun", {"--heads", "2", "--steps", "20", "--record-every", "10"});
    QVERIFY(!runFile.isEmpty());
    const Result table = run({"heads", runFile});
    QVERIFY2(table.exitCode == 0, qPrintable(table.err));
    QVERIFY(table.out.contains("step 20: head roles"));
    QVERIFY(table.out.contains("induction probe ("));
    const QRegularExpression row(
        "^\\s*0\\s+[01]\\s+(induction|previous-token|duplicate-token|sink|local|diffuse|mixed)\\s+[0-9.]+");
    int rows = 0;
    for (const QString& l : lines(table.out)) rows += row.match(l).hasMatch();
    QCOMPARE(rows, 2);

    const Result json = run({"heads", runFile, "--step", "12", "--json"});
    QVERIFY2(json.exitCode == 0, qPrintable(json.err));
    const QJsonObject o = QJsonDocument::fromJson(json.out.toUtf8()).object();
    QCOMPARE(o["step"].toInt(), 10); // the snapshot at or before step 12
    const QJsonArray heads = o["heads"].toArray();
    QCOMPARE(heads.size(), 2);
    for (const QJsonValue& h : heads) {
        const double induction = h["induction"].toDouble(), prev = h["previous_token"].toDouble();
        QVERIFY(induction >= 0 && induction <= 1 && prev >= 0 && prev <= 1);
        QVERIFY(!h["role"].toString().isEmpty());
    }
    QVERIFY(o["induction_probe_length"].toInt() > 0);

    const Result bad = run({"heads", path("missing.attnrun")});
    QCOMPARE(bad.exitCode, 1);
    QCOMPARE(lines(bad.err).size(), 1);
    const Result badStep = run({"heads", runFile, "--step", "x"});
    QCOMPARE(badStep.exitCode, 2);
}

void TestCli::trainInfoAndExport() {
    const QString runFile = train("basic.attnrun", {"--steps", "20", "--record-every", "10"});
    QVERIFY(!runFile.isEmpty());
    // Refuses to overwrite without --force.
    const Result again = run(QStringList{"train"} + kTiny + QStringList{"--steps", "2", "--out", runFile});
    QVERIFY(again.exitCode != 0);
    QVERIFY(again.err.contains("already exists"));

    const Result info = run({"info", runFile});
    QCOMPARE(info.exitCode, 0);
    QVERIFY2(info.out.contains(QRegularExpression("steps\\s+20 / 20")), qPrintable(info.out));
    QVERIFY(info.out.contains(QRegularExpression("status\\s+finished at step 20")));
    QVERIFY(info.out.contains("task:copy"));
    QVERIFY(info.out.contains(QRegularExpression("snapshots\\s+3 \\(steps 0–20\\)")));
    QVERIFY(info.out.contains("schema " + QString::number(attnscope::kRunSchemaVersion)));

    const QString out = path("basic-data");
    const Result exp = run({"export-data", runFile, "--out", out, "--steps", "all", "--heads", "0,2"});
    QVERIFY2(exp.exitCode == 0, qPrintable(exp.err));
    QCOMPARE(csvColumn(out + "/steps.csv", 0).size(), 20);
    QCOMPARE(csvColumn(out + "/heads.csv", 0).size(), 3 * 1 * 4); // snapshots × layers × heads
    QCOMPARE(csvColumn(out + "/roles.csv", 3).size(), 3 * 1 * 4); // one role per snapshot and head
    QVERIFY(csvColumn(out + "/scalars.csv", 1).contains("sink_rate"));
    QVERIFY(QFile::exists(out + "/events.csv") && QFile::exists(out + "/evals.csv"));

    QFile npy(out + "/attention.npy");
    QVERIFY(npy.open(QIODevice::ReadOnly));
    const QByteArray bytes = npy.readAll();
    QVERIFY(bytes.startsWith(QByteArray("\x93NUMPY\x01\x00", 8)));
    const int headerLength = quint8(bytes[8]) | quint8(bytes[9]) << 8;
    QCOMPARE((10 + headerLength) % 64, 0);
    const QByteArray header = bytes.mid(10, headerLength);
    QVERIFY(header.endsWith('\n'));
    QVERIFY2(header.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 1, 2, 16, 16), }"),
             header.constData());
    QCOMPARE(bytes.size(), 10 + headerLength + 3 * 1 * 2 * 16 * 16 * 4);
    // Row 0 of every causal map is one-hot on key 0: the first float of the data is 1.
    float first = 0;
    std::memcpy(&first, bytes.constData() + 10 + headerLength, 4);
    QCOMPARE(first, 1.0f);
    QFile tokens(out + "/tokens.npy");
    QVERIFY(tokens.open(QIODevice::ReadOnly));
    QVERIFY(tokens.readAll().contains("'descr': '<i4', 'fortran_order': False, 'shape': (16,), }"));

    const Result ckpt = run({"export-checkpoint", runFile, "--out", path("basic.safetensors")});
    QCOMPARE(ckpt.exitCode, 0);
    const Result standalone = run({"eval", "--checkpoint", path("basic.safetensors"), "--length", "16"});
    QVERIFY2(standalone.exitCode == 0, qPrintable(standalone.err));
    QVERIFY(standalone.out.contains(QRegularExpression("\\n\\s+16\\s+nonoverlapping\\s+[0-9,]+\\s+[0-9.]+")));
}

void TestCli::evalExtrapolation() {
    const QString learned = train("learned.attnrun", {"--steps", "20"});
    const QString alibi = train("alibi.attnrun", {"--steps", "20", "--alibi"});
    QVERIFY(!learned.isEmpty() && !alibi.isEmpty());
    const QRegularExpression number32("\\n\\s+32\\s+nonoverlapping\\s+[0-9,]+\\s+[0-9.]+\\s+[0-9.]+");

    const Result l = run({"eval", "--run", learned, "--length", "16,32"});
    QCOMPARE(l.exitCode, 0);
    QVERIFY(l.out.contains(QRegularExpression("\\n\\s+16\\s+nonoverlapping\\s+[0-9,]+\\s+[0-9.]+")));
    QVERIFY2(l.out.contains("learned positions cannot extrapolate past L=16"), qPrintable(l.out));
    QVERIFY(!l.out.contains(number32));

    const Result a = run({"eval", "--run", alibi, "--length", "16,32", "--save", "--latency"});
    QCOMPARE(a.exitCode, 0);
    QVERIFY2(a.out.contains(number32), qPrintable(a.out));
    QVERIFY(!a.out.contains("cannot extrapolate"));
    QVERIFY(a.out.contains(" ms"));
    const Result sliding = run({"eval", "--run", alibi, "--length", "32", "--stride", "8", "--save"});
    QCOMPARE(sliding.exitCode, 0);
    QVERIFY(sliding.out.contains("sliding:8"));

    const Result info = run({"info", alibi});
    QVERIFY(info.out.contains(QRegularExpression("evals\\s+3")));
    const Result exp = run({"export-data", alibi, "--out", path("alibi-data"), "--steps", "none"});
    QCOMPARE(exp.exitCode, 0);
    QCOMPARE(csvColumn(path("alibi-data/evals.csv"), 2),
             QStringList({"nonoverlapping", "nonoverlapping", "sliding:8"}));
}

void TestCli::resumeIsBitIdentical() {
    // Constant LR after warmup, so a 20-step run extended to 40 has the schedule of a 40-step run.
    const QStringList constant{"--warmup", "5", "--min-lr-ratio", "1", "--checkpoint-every", "0"};
    const QString full = train("full.attnrun", constant + QStringList{"--steps", "40"});
    const QString part = train("part.attnrun", constant + QStringList{"--steps", "20"});
    QVERIFY(!full.isEmpty() && !part.isEmpty());
    const Result resumed = run({"resume", part, "--steps", "40", "--quiet"});
    QVERIFY2(resumed.exitCode == 0, qPrintable(resumed.err));
    QVERIFY(resumed.out.contains("finished 40 steps"));
    QCOMPARE(run({"export-data", full, "--out", path("full-data"), "--steps", "none"}).exitCode, 0);
    QCOMPARE(run({"export-data", part, "--out", path("part-data"), "--steps", "none"}).exitCode, 0);
    const QStringList a = csvColumn(path("full-data/steps.csv"), 1),
                      b = csvColumn(path("part-data/steps.csv"), 1);
    QCOMPARE(a.size(), 40);
    QCOMPARE(b, a); // the loss text is the exact round-trip form: equal text means equal bits
    // Nothing left to do: says so and succeeds.
    const Result done = run({"train", "--resume", part});
    QCOMPARE(done.exitCode, 0);
    QVERIFY(done.out.contains("already has all 40 steps"));
}

void TestCli::rewindToAnEarlierCheckpointIsBitIdentical() {
    // Cosine schedule: redoing steps 21–40 from the checkpoint of step 20 must reproduce them exactly.
    const QString file =
        train("cosine.attnrun", {"--steps", "40", "--warmup", "5", "--checkpoint-every", "20"});
    QVERIFY(!file.isEmpty());
    QCOMPARE(run({"export-data", file, "--out", path("cos-before"), "--steps", "none"}).exitCode, 0);
    const Result resumed = run({"resume", file, "--from-step", "20", "--quiet"});
    QVERIFY2(resumed.exitCode == 0, qPrintable(resumed.err));
    QCOMPARE(run({"export-data", file, "--out", path("cos-after"), "--steps", "none"}).exitCode, 0);
    const QStringList before = csvColumn(path("cos-before/steps.csv"), 1);
    QCOMPARE(before.size(), 40);
    QCOMPARE(csvColumn(path("cos-after/steps.csv"), 1), before);
    QVERIFY(csvColumn(path("cos-after/events.csv"), 2)
                .join(' ')
                .contains("resumed from the checkpoint of step 20"));
}

void TestCli::ctrlCStopsCleanly() {
    const QString file = path("interrupted.attnrun");
    QProcess p;
    p.setWorkingDirectory(m_dir.path());
    p.start(m_cli, QStringList{"train"} + kTiny.mid(0, kTiny.size() - 1) +
                       QStringList{"--steps", "10000000", "--record-every", "1000000", "--eval-every",
                                   "1000000", "--checkpoint-every", "0", "--out", file});
    QVERIFY(p.waitForStarted());
    // The "training … →" line comes once the run file exists and the trainer starts.
    QByteArray err;
    QTRY_VERIFY_WITH_TIMEOUT((err += p.readAllStandardError()).contains("training"), 20000);
    // info reads a run another process is still writing: once the writer has committed its status.
    Result live;
    QTRY_VERIFY_WITH_TIMEOUT((live = run({"info", file})).exitCode == 0 &&
                                 live.out.contains(QRegularExpression("status\\s+training")),
                             20000);
    // One writer per run file: a second train --force or a resume on it is refused, naming the holder.
    const QString holder = QString("pid %1 on ").arg(p.processId());
    const Result overwrite = run(QStringList{"train"} + kTiny + QStringList{"--force", "--out", file});
    QVERIFY2(overwrite.exitCode != 0 && overwrite.err.contains("is being written by " + holder),
             qPrintable(overwrite.err));
    const Result resume = run({"resume", file});
    QVERIFY2(resume.exitCode != 0 && resume.err.contains("is being written by " + holder),
             qPrintable(resume.err));
    ::kill(pid_t(p.processId()), SIGINT);
    QVERIFY(p.waitForFinished(30000));
    QCOMPARE(p.exitStatus(), QProcess::NormalExit);
    QCOMPARE(p.exitCode(), 0);
    const QString out = QString::fromUtf8(p.readAllStandardOutput());
    const QRegularExpression stopped("stopped at step (\\d+); resume with: attnscope-cli resume (.+)\\n");
    const auto match = stopped.match(out);
    QVERIFY2(match.hasMatch(), qPrintable(out + err + p.readAllStandardError()));
    QCOMPARE(match.captured(2), file);
    const QString step = match.captured(1);
    const Result info = run({"info", file});
    QVERIFY(info.out.contains(QRegularExpression("status\\s+stopped at step " + step)));
    QVERIFY(info.out.contains(QRegularExpression("checkpoints\\s+steps " + step + "\\n")));
    const Result resumed = run({"resume", file, "--steps", QString::number(step.toInt() + 5), "--quiet"});
    QCOMPARE(resumed.exitCode, 0);
    QVERIFY(resumed.out.contains(QString("finished %1 steps").arg(step.toInt() + 5)));
}

void TestCli::divergenceIsAResult() {
    QFile config(path("diverge.json"));
    QVERIFY(config.open(QIODevice::WriteOnly));
    config.write(R"({"train": {"lr": 1e9, "grad_clip": 0, "warmup": 0}})");
    config.close();
    const Result r =
        run(QStringList{"train"} + kTiny +
            QStringList{"--config", config.fileName(), "--steps", "200", "--out", path("diverged.attnrun")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY2(r.out.contains(QRegularExpression("diverged at step \\d+")), qPrintable(r.out));
    const QString info = run({"info", path("diverged.attnrun")}).out;
    QVERIFY(info.contains(
        QRegularExpression("status\\s+diverged at step \\d+ — (loss|gradient norm) is not finite")));
    QCOMPARE(info.count("diverged at step"), 1); // said once, with the reason
    // Divergence ends a run without a final checkpoint; with none before it, there is nothing to resume.
    const Result resume = run({"resume", path("diverged.attnrun")});
    QCOMPARE(resume.exitCode, 1);
    QVERIFY2(resume.err.contains("nothing to continue from"), qPrintable(resume.err));
}

void TestCli::badInputFailsWithOneLine_data() {
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("expected");
    QFile bad(path("bad.json"));
    QVERIFY(bad.open(QIODevice::WriteOnly));
    bad.write("{\"model\": {\"layers\": 2,}");
    bad.close();
    QFile unknownKey(path("unknown-key.json"));
    QVERIFY(unknownKey.open(QIODevice::WriteOnly));
    unknownKey.write(R"({"model": {"layerz": 2}})");
    unknownKey.close();
    QFile text(path("notes.txt"));
    QVERIFY(text.open(QIODevice::WriteOnly));
    text.write("just some text, not a run\n");
    text.close();

    // A stored spec that would divide by zero (heads = 0) is reported as damaged by every command.
    {
        attnscope::RunHeader header;
        header.specJson = R"({"name":"x","model":{"heads":0}})";
        attnscope::RunWriter::create(path("heads0.attnrun").toStdString(), header);
    }

    QTest::newRow("unknown flag") << QStringList{"train", "--bogus"} << "unknown option --bogus";
    QTest::newRow("unknown command") << QStringList{"trian"} << "unknown command 'trian'";
    QTest::newRow("malformed number") << QStringList{"train", "--steps", "ten"} << "expects an integer";
    QTest::newRow("bad JSON config") << QStringList{"train", "--config", bad.fileName()}
                                     << "is not valid JSON";
    QTest::newRow("unknown config key")
        << QStringList{"train", "--config", unknownKey.fileName()} << "model.layerz";
    QTest::newRow("missing config") << QStringList{"train", "--config", path("nope.json")}
                                    << "does not exist";
    QTest::newRow("invalid model") << QStringList{"train", "--data",    "task:copy", "--heads",
                                                  "3",     "--d-model", "16"}
                                   << "must divide d_model";
    QTest::newRow("probe longer than context")
        << QStringList{"train", "--data", "task:copy", "--context", "16", "--probe-length", "64"}
        << "probe_length (64) must not exceed the context (16)";
    QTest::newRow("damaged spec: info") << QStringList{"info", path("heads0.attnrun")}
                                        << "is damaged: its stored run configuration is invalid (heads";
    QTest::newRow("damaged spec: export")
        << QStringList{"export-data", path("heads0.attnrun"), "--out", path("x")} << "is damaged";
    QTest::newRow("missing run file") << QStringList{"info", path("missing.attnrun")} << "does not exist";
    QTest::newRow("not a run file") << QStringList{"info", text.fileName()} << "is not an AttnScope run file";
    QTest::newRow("resume non-run") << QStringList{"resume", text.fileName()}
                                    << "is not an AttnScope run file";
    QTest::newRow("eval non-checkpoint")
        << QStringList{"eval", "--checkpoint", text.fileName()} << "notes.txt";
    QTest::newRow("eval without model") << QStringList{"eval"} << "exactly one of --run";
    QTest::newRow("bad length") << QStringList{"eval", "--checkpoint", text.fileName(), "--length", "16,x"}
                                << "comma-separated integers";
    QTest::newRow("export without out") << QStringList{"export-data", text.fileName()} << "needs --out";

    // Hostile command lines (issue: hardening). Each was accepted, hung or crashed before.
    QTest::newRow("hex number") << QStringList{"train", "--lr", "0x10"} << "expects a number, got '0x10'";
    QTest::newRow("empty out") << QStringList{"train", "--out", ""} << "got an empty one";
    const std::string fifo = path("input.fifo").toStdString();
    QCOMPARE(::mkfifo(fifo.c_str(), 0600), 0);
    QTest::newRow("FIFO config") << QStringList{"train", "--config", path("input.fifo")} << "is a FIFO";
    QTest::newRow("FIFO data") << QStringList{"train", "--data", "file:" + path("input.fifo")} << "is a FIFO";
    QTest::newRow("FIFO out") << QStringList{"train",   "--data", "task:copy",
                                             "--force", "--out",  path("input.fifo")}
                              << "must be a regular file";
    QTest::newRow("endless device data") << QStringList{"train", "--data", "file:/dev/zero"} << "is a device";
    QTest::newRow("force over a text file")
        << QStringList{"train", "--data", "task:copy", "--force", "--out", text.fileName()}
        << "is not an AttnScope run file; overwriting replaces only run files";
    QFile deep(path("deep.json"));
    QVERIFY(deep.open(QIODevice::WriteOnly));
    deep.write(QByteArray(200000, '['));
    deep.close();
    QTest::newRow("deeply nested config")
        << QStringList{"train", "--config", deep.fileName()} << "deeper than 64 levels";
    QFile huge(path("huge.json"));
    QVERIFY(huge.open(QIODevice::WriteOnly));
    huge.write("{\"model\": \"" + QByteArray(2 << 20, 'x')); // a string that never ends
    huge.close();
    QTest::newRow("sweep into a device")
        << QStringList{"sweep", "--grid", "train.lr=0.001", "--out", "/dev/full"} << "is not a folder";
    QTest::newRow("long error") << QStringList{"train", "--config", huge.fileName()} << "is not valid JSON";
}

void TestCli::badInputFailsWithOneLine() {
    QFETCH(QStringList, args);
    QFETCH(QString, expected);
    const Result r = run(args);
    QVERIFY(!r.crashed);
    QVERIFY(r.exitCode != 0);
    const QStringList errLines = lines(r.err);
    QVERIFY2(errLines.size() == 1, qPrintable(r.err));
    QVERIFY2(errLines[0].startsWith("attnscope-cli: "), qPrintable(r.err));
    QVERIFY2(r.err.contains(expected), qPrintable(r.err.left(2000)));
    QVERIFY2(r.err.size() < 1200, "an error line quotes too much of its input");
}

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
