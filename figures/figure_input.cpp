#include "figures/figure_input.h"

#include "core/store/run_reader.h"
#include "core/train/run_spec.h"

#include <QFileInfo>
#include <algorithm>
#include <nlohmann/json.hpp>

namespace attnscope::figures {

SnapshotPtr FigureInput::snapshotAt(int step) const {
    if (snapshots.empty()) return nullptr;
    if (step < 0) return snapshots.back();
    return snapshots[std::size_t(snapshotIndexAt(snapshots, step))];
}

FigureInput loadFigureInput(const std::string& runPath) {
    const RunReader reader(runPath);
    FigureInput in;
    std::string name;
    try {
        name = runSpecFromJson(nlohmann::json::parse(reader.header().specJson)).name;
    } catch (const std::exception&) {
        // A figure does not need the spec; the file name stands in for the run name.
    }
    in.runName = name.empty() ? QFileInfo(QString::fromStdString(runPath)).completeBaseName()
                              : QString::fromStdString(name);
    in.tokenizer = std::make_shared<Tokenizer>(Tokenizer::fromJson(reader.header().tokenizerJson));
    in.steps = reader.steps();
    for (int step : reader.snapshotSteps())
        if (SnapshotPtr s = reader.snapshot(step)) in.snapshots.push_back(std::move(s));
    in.events = reader.events();
    return in;
}

} // namespace attnscope::figures
