#pragma once
// Opens a saved .attnrun file into a RunData for the registry (through RecordedRun::load): spec, tokenizer,
// every step record, snapshot, event and evaluation, and the last status. Throws attnscope::Error with a
// sentence for the user (missing file, not a run, newer format, damaged).
//
// A file of `backgroundFrom` bytes or more that nobody is writing opens without decoding its snapshots:
// they are listed in RunData::pendingSnapshots, and RunRegistry::add reads them on a worker thread without
// their maps (mapsOnDemand), so the curves show at once and memory does not grow with the maps; the views
// that draw maps read the ones they show through RunRegistry::mapCache(). (Decoding every map of a 300 MB
// run takes seconds and a 12 × 12 × 1024 snapshot is 0.6 GB decoded; steps and events take milliseconds —
// docs/inspect.md has the numbers.)
#include "gui/session/run_data.h"

#include <QString>
#include <cstdint>

namespace attnscope::gui {

inline constexpr std::uint64_t kBackgroundSnapshotBytes = 32ull << 20;

RunData loadRunFile(const QString& path, std::uint64_t backgroundFrom = kBackgroundSnapshotBytes);

} // namespace attnscope::gui
