#include "gui/lessons/lessons_panel.h"

#include "gui/lessons/lesson_opener.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QStackedWidget>
#include <QTextBrowser>
#include <QToolButton>
#include <QVBoxLayout>

namespace attnscope::gui {

LessonsPanel::LessonsPanel(const LessonStage& stage, QWidget* parent)
    : QWidget(parent), m_opener(new LessonOpener(stage, this)), m_pages(new QStackedWidget(this)) {
    QString error;
    m_lessons = loadLessons(&error);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_pages);

    m_index = new QTextBrowser(m_pages);
    m_index->setObjectName(QStringLiteral("lessonIndex"));
    m_index->setOpenLinks(false);
    QString list;
    for (const Lesson& l : m_lessons)
        list += QStringLiteral("%1. [%2](lesson:%3) — %4\n")
                    .arg(&l - m_lessons.data() + 1)
                    .arg(l.title, l.id, l.summary);
    m_index->setMarkdown(
        welcomeMarkdown() + QStringLiteral("\n") + list +
        (error.isEmpty() ? QString() : QStringLiteral("\n\n*") + error + QStringLiteral("*")));
    connect(m_index, &QTextBrowser::anchorClicked, this, [this](const QUrl& url) {
        if (url.scheme() == QLatin1String("lesson")) showLesson(url.path());
    });
    m_pages->addWidget(m_index);

    auto* lessonPage = new QWidget(m_pages);
    auto* lessonLayout = new QVBoxLayout(lessonPage);
    lessonLayout->setContentsMargins(0, 0, 0, 0);
    auto* header = new QHBoxLayout;
    auto* back = new QToolButton(lessonPage);
    back->setText(tr("← All lessons"));
    back->setAutoRaise(true);
    connect(back, &QToolButton::clicked, this, &LessonsPanel::showStartPage);
    header->addWidget(back);
    header->addStretch(1);
    lessonLayout->addLayout(header);
    auto* actions = new QHBoxLayout;
    m_open = new QPushButton(tr("Open lesson"), lessonPage);
    m_open->setObjectName(QStringLiteral("openLesson"));
    m_open->setToolTip(tr("Opens the lesson's runs (or trains them here) and arranges the views"));
    m_open->setDefault(true);
    connect(m_open, &QPushButton::clicked, this, [this] { openLesson(m_current); });
    actions->addWidget(m_open);
    m_progress = new QProgressBar(lessonPage);
    m_progress->setRange(0, 100);
    m_progress->setVisible(false);
    actions->addWidget(m_progress, 1);
    lessonLayout->addLayout(actions);
    m_status = new QLabel(lessonPage);
    m_status->setWordWrap(true);
    m_status->setVisible(false);
    lessonLayout->addWidget(m_status);
    m_text = new QTextBrowser(lessonPage);
    m_text->setObjectName(QStringLiteral("lessonText"));
    m_text->setOpenExternalLinks(true);
    lessonLayout->addWidget(m_text, 1);
    m_pages->addWidget(lessonPage);

    connect(m_opener, &LessonOpener::progress, this, [this](int percent, const QString& text) {
        m_progress->setVisible(percent < 100);
        m_progress->setValue(percent);
        m_status->setText(text);
        m_status->setVisible(true);
    });
}

const Lesson* LessonsPanel::find(const QString& id) const {
    for (const Lesson& l : m_lessons)
        if (l.id == id) return &l;
    return nullptr;
}

void LessonsPanel::showStartPage() {
    m_current.clear();
    m_pages->setCurrentIndex(0);
}

bool LessonsPanel::showLesson(const QString& id) {
    const Lesson* lesson = find(id);
    if (!lesson) return false;
    m_current = id;
    m_text->setMarkdown(lesson->markdown());
    m_status->setVisible(false);
    m_progress->setVisible(false);
    m_pages->setCurrentIndex(1);
    return true;
}

bool LessonsPanel::openLesson(const QString& id) {
    if (!showLesson(id)) return false;
    QString error;
    const bool ok = m_opener->open(*find(id), &error);
    if (!error.isEmpty()) {
        m_status->setText(error);
        m_status->setVisible(true);
    } else if (!m_opener->training()) {
        m_status->setVisible(false);
    }
    return ok;
}

} // namespace attnscope::gui
