#pragma once
// Opens a saved .attnrun file into a RunData for the registry (through RecordedRun::load): spec, tokenizer,
// every step record, snapshot, event and evaluation, and the last status. Throws attnscope::Error with a
// sentence for the user (missing file, not a run, newer format, damaged).
//
// A file of `backgroundFrom` bytes or more that nobody is writing opens without decoding its snapshots:
// they are listed in RunData::pendingSnapshots, and RunRegistry::add decodes them on a worker thread, so
// the curves show at once. (Decoding every map of a 300 MB run takes seconds; steps and events take
// milliseconds — docs/inspect.md has the numbers.)
#include "gui/session/run_data.h"

#include <QString>
#include <cstdint>

namespace attnscope::gui {

inline constexpr std::uint64_t kBackgroundSnapshotBytes = 32ull << 20;

RunData loadRunFile(const QString& path, std::uint64_t backgroundFrom = kBackgroundSnapshotBytes);

} // namespace attnscope::gui
