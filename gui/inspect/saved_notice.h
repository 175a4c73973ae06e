#pragma once
// "Saved to …" in the status bar after an export, with an "Open folder" button, so the user knows where the
// figure went and can get to it in one click. Stays 20 seconds, or until the next notice.
#include <QWidget>

class QLabel;
class QTimer;
class QToolButton;

namespace attnscope::gui {

class SavedNotice : public QWidget {
    Q_OBJECT
public:
    explicit SavedNotice(QWidget* parent = nullptr);
    // `files`: what was written, the figure first (its side-car data after it).
    void show(const QStringList& files);
    QString text() const;
    QToolButton* openFolderButton() const { return m_open; }
    QString folder() const { return m_folder; }

private:
    QLabel* m_label;
    QToolButton* m_open;
    QTimer* m_timer;
    QString m_folder;
};

} // namespace attnscope::gui
