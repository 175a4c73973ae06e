#pragma once
// Opens a saved .attnrun file into a RunData for the registry: spec, tokenizer, every step record,
// snapshot, event and evaluation, and the last status. Throws attnscope::Error with a sentence for the
// user (missing file, not a run, newer format, damaged).
#include "gui/session/run_data.h"

#include <QString>

namespace attnscope::gui {

RunData loadRunFile(const QString& path);

} // namespace attnscope::gui
