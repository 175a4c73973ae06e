#pragma once
// Which checkpoint "probe your own text" uses for the selected run at the timeline's step, and why none can
// be used, in words for the panel. The worker makes the same choice again on what the file holds when it
// reads it (a live run may have written a newer checkpoint meanwhile) and reports the step it used.
#include <QString>

namespace attnscope::gui {

struct RunData;

struct CheckpointChoice {
    int step = -1; // the checkpoint's step; -1 when the run cannot be probed
    QString text;  // "checkpoint of step 500 (nearest to the selected step 620)", or the reason
    // For a run imported from Hugging Face folders (`attnscope-cli import`, File › Open model…): the folder
    // of the chosen step, whose model and tokenizer.json probe the text; empty for the engine's checkpoints.
    QString modelFolder;
    bool usable() const { return step >= 0; }
};

CheckpointChoice chooseCheckpoint(const RunData* run, int selectedStep);

} // namespace attnscope::gui
