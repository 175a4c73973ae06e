// attnscope-bench-app: how the app handles a large run, driven offscreen (QT_QPA_PLATFORM=offscreen): the
// time from opening a run file to the first attention maps on screen, the time one timeline step takes until
// every view (curves and the attention grid) shows the new step, and the process's peak memory. Make the run
// with attnscope-synthetic-run (GPT-2-small shape: 12 layers × 12 heads × 1024 tokens, 25 snapshots).
//
// Usage: QT_QPA_PLATFORM=offscreen attnscope-bench-app RUN.attnrun [--steps 6] [--width 1920 --height 1080]
#include "gui/app/main_window.h"
#include "gui/attention/attention_panel.h"
#include "gui/session/run_registry.h"
#include "gui/session/snapshot_map_cache.h"
#include "gui/widgets/step_timeline.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QTabWidget>
#include <QThread>
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

using namespace attnscope;
using namespace attnscope::gui;

namespace {

double statusMegabytes(const char* field) {
    std::ifstream f("/proc/self/status");
    std::string line;
    while (std::getline(f, line))
        if (line.rfind(field, 0) == 0) return std::stod(line.substr(std::string(field).size() + 1)) / 1024.0;
    return 0;
}

// Processes events until `done` holds; returns the milliseconds it took (or -1 after `limitMs`).
template <typename F> double waitFor(F done, double limitMs = 120000) {
    QElapsedTimer clock;
    clock.start();
    while (!done()) {
        if (clock.elapsed() > limitMs) return -1;
        QApplication::processEvents(QEventLoop::AllEvents, 5);
        QThread::msleep(1);
    }
    return double(clock.nsecsElapsed()) / 1e6;
}

bool showsMapsOf(const MainWindow& w, int step) {
    const SnapshotPtr s = w.attentionPanel()->shownSnapshot();
    return s && s->step == step && !s->attention.empty();
}

} // namespace

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("AttnScope-bench"));
    const QStringList args = QApplication::arguments();
    if (args.size() < 2) {
        std::fprintf(stderr, "usage: attnscope-bench-app RUN.attnrun [--steps N] [--width W --height H]\n");
        return 2;
    }
    const QString path = args[1];
    int steps = 6, width = 1920, height = 1080;
    for (int i = 2; i + 1 < args.size(); i += 2) {
        if (args[i] == "--steps") steps = args[i + 1].toInt();
        if (args[i] == "--width") width = args[i + 1].toInt();
        if (args[i] == "--height") height = args[i + 1].toInt();
    }
    MainWindow w;
    w.resize(width, height);
    w.show();
    w.tabs()->setCurrentWidget(w.attentionPanel());
    QApplication::processEvents();
    const double baseMb = statusMegabytes("VmRSS:");

    QElapsedTimer clock;
    clock.start();
    QString error;
    const int id = w.openRunFile(path, &error);
    if (!id) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return 1;
    }
    const double curvesMs = double(clock.nsecsElapsed()) / 1e6;
    const RunData& run = *w.registry().find(id);
    // The attention tab follows the newest snapshot once the snapshots are listed.
    const double listedMs = waitFor([&] { return !w.registry().isDecoding(id); });
    const int lastStep = run.snapshots.empty() ? -1 : run.snapshots.back()->step;
    const double firstMapsMs = waitFor([&] { return showsMapsOf(w, lastStep); });
    std::printf(
        "open %s: curves %.0f ms, snapshots listed %.0f ms, first maps on screen %.0f ms after opening\n",
        qPrintable(path), curvesMs, curvesMs + listedMs, double(clock.nsecsElapsed()) / 1e6);
    if (firstMapsMs < 0) std::printf("  (the maps did not appear within two minutes)\n");

    // Timeline steps backwards from the newest snapshot: each waits until the attention grid shows the new
    // step's maps; the curve views follow the same signal synchronously.
    std::vector<double> stepMs;
    std::vector<int> visited;
    for (int k = 1; k <= steps && k < int(run.snapshots.size()); ++k) {
        const int step = run.snapshots[run.snapshots.size() - 1 - std::size_t(k)]->step;
        QElapsedTimer t;
        t.start();
        w.timeline()->setStep(step);
        waitFor([&] { return showsMapsOf(w, step); });
        stepMs.push_back(double(t.nsecsElapsed()) / 1e6);
        visited.push_back(step);
        std::printf("  step to %d: %.0f ms\n", step, stepMs.back());
    }
    std::vector<double> sorted = stepMs;
    std::sort(sorted.begin(), sorted.end());
    std::printf("timeline step: median %.0f ms over %zu steps\n",
                sorted.empty() ? 0.0 : sorted[sorted.size() / 2], stepMs.size());
    if (visited.size() >= 2) { // back one step: served from the map cache when the budget holds two snapshots
        const int back = visited[visited.size() - 2];
        QElapsedTimer t;
        t.start();
        w.timeline()->setStep(back);
        waitFor([&] { return showsMapsOf(w, back); });
        std::printf("timeline step back to %d: %.0f ms\n", back, double(t.nsecsElapsed()) / 1e6);
    }
    std::printf("memory: peak %.0f MB (%.0f MB before opening), map cache %zu MB of %d MB\n",
                statusMegabytes("VmHWM:"), baseMb, w.registry().mapCache().heldBytes() >> 20,
                w.registry().mapCache().budgetMegabytes());
    return 0;
}
