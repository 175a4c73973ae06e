#pragma once
// Where the app finds the sample runs it opens on first start: installed beside the executable
// (<prefix>/bin/attnscope → <prefix>/share/attnscope/sample_runs), else in the source tree the build came
// from (developers running build/gui/attnscope).
#include <QStringList>

namespace attnscope::gui {

// Every *.attnrun in the first of those folders that has any, sorted by name; empty when neither has.
QStringList sampleRunFiles();

// The folders looked in, in order (for messages).
QStringList sampleRunFolders();

} // namespace attnscope::gui
