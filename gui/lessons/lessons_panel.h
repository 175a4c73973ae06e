#pragma once
// The Lessons panel (a dock): a start page with the welcome text and one link per lesson, and a lesson page
// with the lesson's text (Markdown from resources/lessons/), an "Open lesson" button that opens its runs and
// arranges the views (LessonOpener), and a progress bar while the lesson's live runs train.
#include "gui/lessons/lesson_catalog.h"
#include "gui/lessons/lesson_stage.h"

#include <QWidget>
#include <vector>

class QLabel;
class QProgressBar;
class QPushButton;
class QStackedWidget;
class QTextBrowser;

namespace attnscope::gui {

class LessonOpener;

class LessonsPanel : public QWidget {
    Q_OBJECT
public:
    explicit LessonsPanel(const LessonStage& stage, QWidget* parent = nullptr);

    const std::vector<Lesson>& lessons() const { return m_lessons; }
    void showStartPage();
    bool showLesson(const QString& id); // false for an unknown id
    // Shows the lesson and opens it (what the button does); false when nothing could be opened.
    bool openLesson(const QString& id);
    QString currentLesson() const { return m_current; } // empty on the start page
    LessonOpener* opener() const { return m_opener; }
    QTextBrowser* lessonText() const { return m_text; }
    QPushButton* openButton() const { return m_open; }
    QLabel* statusLabel() const { return m_status; }

private:
    const Lesson* find(const QString& id) const;

    std::vector<Lesson> m_lessons;
    LessonOpener* m_opener;
    QStackedWidget* m_pages;
    QTextBrowser* m_index;
    QTextBrowser* m_text;
    QPushButton* m_open;
    QProgressBar* m_progress;
    QLabel* m_status;
    QString m_current;
};

} // namespace attnscope::gui
