#pragma once
// The lessons of the Lessons panel, read from resources/lessons/lessons.json: for each, its text (Markdown in
// resources/lessons/), the runs it opens and how it arranges the views. Data, not code, so that a lesson is
// edited without rebuilding logic.
#include <QJsonObject>
#include <QString>
#include <optional>
#include <vector>

namespace attnscope::gui {

struct LessonRun {
    QString sample;   // base name of a shipped sample run ("extrap-alibi"); empty: always trained here
    QString preset;   // preset to train when the sample is missing (or always, without a sample)
    QJsonObject json; // overrides applied to the preset's spec (RunSpec JSON: model/train/data)
    QString label;    // name of a run trained here; default: the sample's or preset's name
    QString name() const;
};

struct LessonView {
    QString tab;    // "training", "entropy", "logits", "sinks", "attention", "extrapolation", ...
    QString metric; // entropy tab: "entropy" or "normalized"
    int select = 0; // index into the lesson's runs of the run to select
    std::optional<int> layer, head; // attention tab: the head to enlarge
    bool lastStep = true;           // timeline at the last snapshot (else `step`)
    std::optional<int> step;
    std::optional<int> pin; // step A to pin on the selected run (nearest snapshot at or before)
    bool positions = false; // compute the Extrapolation tab's per-position loss of the lesson's runs
};

struct Lesson {
    QString id, title, summary, textFile;
    std::vector<LessonRun> runs;
    // A shipped sample sweep (sample_runs/sweeps/<name>) shown on the Sweeps page; may be empty.
    QString sweep;
    LessonView view;
    QString markdown() const; // the lesson text; a sentence saying it is missing when it is
};

// Every lesson in resource order; empty (with `error` set) when the index cannot be read.
std::vector<Lesson> loadLessons(QString* error = nullptr);
// The welcome text shown above the list on the start page.
QString welcomeMarkdown();

} // namespace attnscope::gui
