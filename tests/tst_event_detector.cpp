// Events from probe snapshots (core/train/event_detector.h): a head piling its attention onto key 0 is a sink
// formation (a note), not an entropy collapse; a collapse onto content still is one; a logit explosion's
// message writes a huge logit with three significant digits, not as a 28-digit integer.
#include "core/train/event_detector.h"

#include <QRegularExpression>
#include <QtTest>

using namespace attnscope;

namespace {
ProbeSnapshot oneHead(int step, float entropy, float sinkScore, float maxLogit = 5) {
    ProbeSnapshot s;
    s.step = step;
    s.layers = s.heads = 1;
    s.length = 32;
    s.entropy = {entropy};
    s.sinkScore = {sinkScore};
    s.maxLogit = {maxLogit};
    return s;
}
} // namespace

class TestEventDetector : public QObject {
    Q_OBJECT
private slots:
    void sinkIsNotACollapse() {
        EventDetector d;
        QVERIFY(d.onSnapshot(oneHead(0, 2.5f, 0.13f)).empty());
        const std::vector<Event> events = d.onSnapshot(oneHead(100, 0.05f, 0.95f));
        QCOMPARE(events.size(), std::size_t(1));
        QCOMPARE(events.front().kind, EventKind::Note);
        QVERIFY2(QString::fromStdString(events.front().message).startsWith("sink formation: layer 0 head 0"),
                 events.front().message.c_str());
        QVERIFY(d.onSnapshot(oneHead(200, 0.04f, 0.97f)).empty()); // once per head
    }

    void sinkFromTheStartIsNotAFormation() {
        EventDetector d;
        QVERIFY(d.onSnapshot(oneHead(0, 1.0f, 0.5f)).empty()); // never seen below the threshold
    }

    void collapseOntoContentIsStillACollapse() {
        EventDetector d;
        QVERIFY(d.onSnapshot(oneHead(0, 2.5f, 0.1f)).empty());
        const std::vector<Event> events = d.onSnapshot(oneHead(100, 0.05f, 0.01f));
        QCOMPARE(events.size(), std::size_t(1));
        QCOMPARE(events.front().kind, EventKind::EntropyCollapse);
    }

    void hugeLogitsAreShortNumbers() {
        EventDetector d;
        const std::vector<Event> events = d.onSnapshot(oneHead(50, 2.0f, 0.1f, 2.41e27f));
        QCOMPARE(events.size(), std::size_t(1));
        QCOMPARE(events.front().kind, EventKind::LogitExplosion);
        const QString message = QString::fromStdString(events.front().message);
        QVERIFY2(message.contains("2.41e+27"), qPrintable(message));
        QVERIFY2(!message.contains(QRegularExpression("\\d{8,}")), qPrintable(message));
        EventDetector small;
        QVERIFY(QString::fromStdString(small.onSnapshot(oneHead(50, 2.0f, 0.1f, 358.4f)).front().message)
                    .contains("logit 358 "));
    }
};

QTEST_APPLESS_MAIN(TestEventDetector)
#include "tst_event_detector.moc"
