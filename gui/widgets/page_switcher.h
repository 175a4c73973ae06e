#pragma once
// The app's pages (the tabs in the middle of the main window), each with a key by which controllers and
// lessons name it ("training", "entropy", "sweeps", …). Controllers add their page and bring pages forward
// through this object; they never see the window.
#include <QObject>
#include <QString>
#include <QStringList>

class QTabWidget;
class QWidget;

namespace attnscope::gui {

class PageSwitcher : public QObject {
    Q_OBJECT
public:
    explicit PageSwitcher(QTabWidget& tabs, QObject* parent = nullptr);

    // Appends `page` as a tab titled `title`, found again by `key`.
    void addPage(QWidget* page, const QString& title, const QString& key);
    void show(QWidget* page); // makes it the current tab
    bool show(const QString& key);
    QWidget* page(const QString& key) const; // null when no page has that key
    QWidget* current() const;
    QStringList keys() const; // in tab order
    QTabWidget& tabs() const { return m_tabs; }

private:
    QTabWidget& m_tabs;
};

} // namespace attnscope::gui
