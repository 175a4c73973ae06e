#pragma once
// One click of "Open lesson": opens the lesson's runs — the shipped sample when there is one, otherwise a
// live run trained from the preset (all of a lesson's live runs start together, sharing the cores) — and
// arranges the views: the tab, the selected run, the entropy metric, the enlarged head, the timeline's step
// and the pinned step A. Runs already open (same file, or a live run of the same name) are reused, so a
// second click only re-arranges. While live runs train, progress() reports their share done; the views are
// arranged again when they finish.
#include "gui/lessons/lesson_catalog.h"
#include "gui/lessons/lesson_stage.h"

#include <QObject>
#include <QString>
#include <QStringList>
#include <vector>

namespace attnscope::gui {

class LessonOpener : public QObject {
    Q_OBJECT
public:
    explicit LessonOpener(const LessonStage& stage, QObject* parent = nullptr);

    // Opens and arranges; returns false with `error` set when no run could be opened. Runs that fail
    // alone are reported in `error` too (the others still open).
    bool open(const Lesson& lesson, QString* error = nullptr);
    // Arranges the views for the lesson's runs (already open).
    void arrange();

    const std::vector<int>& runIds() const { return m_ids; } // [lesson run] → registry id (0: not open)
    bool training() const;                                   // a live run of the lesson still trains
    QString lessonId() const { return m_lesson.id; }

    // Where a lesson's sample run lives: the first sample_runs/<name>.attnrun found; empty when none is.
    static QString samplePath(const QString& sample);

signals:
    void progress(int percent, const QString& text); // live runs only; 100 when they have all ended
    void arranged();

private:
    int openRun(const LessonRun& run, QString* error);
    void updateProgress();
    void selectHead();

    LessonStage m_stage;
    Lesson m_lesson;
    std::vector<int> m_ids;
    std::vector<int> m_live; // ids started here for this lesson
    bool m_headPending = false;
};

} // namespace attnscope::gui
