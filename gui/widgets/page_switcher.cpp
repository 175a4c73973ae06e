#include "gui/widgets/page_switcher.h"

#include <QTabWidget>

namespace attnscope::gui {

namespace {
const char* const keyProperty = "pageKey";
}

PageSwitcher::PageSwitcher(QTabWidget& tabs, QObject* parent) : QObject(parent), m_tabs(tabs) {}

void PageSwitcher::addPage(QWidget* page, const QString& title, const QString& key) {
    // Pages lay out in whatever room is left beside the docks: with this minimum the window fits a
    // 1280×720 screen (tests/tst_gui_compare).
    page->setMinimumSize(360, 300);
    page->setProperty(keyProperty, key);
    m_tabs.addTab(page, title);
}

void PageSwitcher::show(QWidget* page) {
    m_tabs.setCurrentWidget(page);
}

bool PageSwitcher::show(const QString& key) {
    QWidget* p = page(key);
    if (p) show(p);
    return p != nullptr;
}

QWidget* PageSwitcher::page(const QString& key) const {
    for (int i = 0; i < m_tabs.count(); ++i)
        if (m_tabs.widget(i)->property(keyProperty).toString() == key) return m_tabs.widget(i);
    return nullptr;
}

QStringList PageSwitcher::keys() const {
    QStringList keys;
    for (int i = 0; i < m_tabs.count(); ++i) keys << m_tabs.widget(i)->property(keyProperty).toString();
    return keys;
}

QWidget* PageSwitcher::current() const {
    return m_tabs.currentWidget();
}

} // namespace attnscope::gui
