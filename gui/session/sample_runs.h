#pragma once
// Where the app finds the sample runs (and sample sweeps) it opens on first start, in order:
//   1. a build tree's own sources: CMake writes the source folder into `attnscope-source-dir` beside the
//      build-tree programs (build/gui, build/tests); the file is never installed, and no path is compiled in;
//   2. installed beside the executable: <prefix>/bin/attnscope → <prefix>/share/attnscope/sample_runs;
//   3. the XDG data folders (QStandardPaths::GenericDataLocation: ~/.local/share, /usr/local/share,
//      /usr/share, …)/attnscope/sample_runs.
#include <QStringList>

namespace attnscope::gui {

// Every *.attnrun in the first of those folders that has any, sorted by name; empty when none has.
QStringList sampleRunFiles();

// The folders looked in, in order (for messages), without duplicates; only existing folders.
QStringList sampleRunFolders();

} // namespace attnscope::gui
