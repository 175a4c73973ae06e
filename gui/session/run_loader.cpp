#include "gui/session/run_loader.h"

#include "core/store/run_reader.h"
#include "core/util/error.h"

#include <QFileInfo>
#include <nlohmann/json.hpp>

namespace attnscope::gui {

RunData loadRunFile(const QString& path) {
    RunReader reader(path.toStdString());
    const RunHeader& header = reader.header();
    RunData run;
    try {
        run.spec = runSpecFromJson(nlohmann::json::parse(header.specJson));
    } catch (const nlohmann::json::exception& e) {
        throw Error("The run file " + path.toStdString() + " has an unreadable configuration: " + e.what());
    }
    run.tokenizer = std::make_shared<Tokenizer>(Tokenizer::fromJson(header.tokenizerJson));
    run.name =
        run.spec.name.empty() ? QFileInfo(path).completeBaseName() : QString::fromStdString(run.spec.name);
    run.filePath = path;
    run.steps = reader.steps();
    for (int step : reader.snapshotSteps())
        if (SnapshotPtr s = reader.snapshot(step)) run.snapshots.push_back(std::move(s));
    run.events = reader.events();
    run.evals = reader.evals();
    run.checkpointSteps = reader.checkpointSteps();
    const StatusRecord status = reader.status();
    run.status = status.status;
    run.statusStep = status.step;
    run.statusMessage = QString::fromStdString(status.message);
    // A file whose writer died mid-run still says "training"; nobody is training it now.
    if (run.status == RunStatus::Training || run.status == RunStatus::Paused) {
        run.status = RunStatus::Stopped;
        run.statusStep = run.lastStep();
    }
    return run;
}

} // namespace attnscope::gui
