#include "gui/app/appearance.h"

#include "gui/widgets/display_scale.h"

#include <QAction>
#include <QApplication>
#include <QMenu>
#include <QSettings>
#include <QStyle>
#include <QStyleFactory>

namespace attnscope::gui {

Appearance::Appearance(QObject* parent) : QObject(parent) {
    // The size before any Appearance scaled it (a second window in one process must not scale it twice).
    static const double basePointSize = QApplication::font().pointSizeF();
    m_basePointSize = basePointSize;
    // Fusion draws every widget from the palette, so the dark palette reaches them all.
    if (QStyle* fusion = QStyleFactory::create(QStringLiteral("Fusion"))) QApplication::setStyle(fusion);
    m_basePalette = QApplication::style()->standardPalette();
    const QSettings settings;
    m_presentation = settings.value(QStringLiteral("view/presentation"), false).toBool();
    m_dark = settings.value(QStringLiteral("view/dark"), false).toBool();
    apply();
}

void Appearance::setPresentation(bool on) {
    if (on == m_presentation) return;
    m_presentation = on;
    QSettings().setValue(QStringLiteral("view/presentation"), on);
    apply();
}

void Appearance::setDark(bool on) {
    if (on == m_dark) return;
    m_dark = on;
    QSettings().setValue(QStringLiteral("view/dark"), on);
    apply();
}

void Appearance::addActions(QMenu* view) {
    view->addSeparator();
    m_presentationAction = view->addAction(tr("&Presentation mode (larger text and lines)"));
    m_presentationAction->setObjectName(QStringLiteral("presentationMode"));
    m_presentationAction->setCheckable(true);
    m_presentationAction->setChecked(m_presentation);
    m_presentationAction->setShortcut(QKeySequence(Qt::Key_F5));
    connect(m_presentationAction, &QAction::toggled, this, &Appearance::setPresentation);
    m_darkAction = view->addAction(tr("&Dark theme"));
    m_darkAction->setObjectName(QStringLiteral("darkTheme"));
    m_darkAction->setCheckable(true);
    m_darkAction->setChecked(m_dark);
    connect(m_darkAction, &QAction::toggled, this, &Appearance::setDark);
}

QPalette Appearance::darkPalette() {
    QPalette p;
    const QColor window(0x2b, 0x2b, 0x2b), text(0xe6, 0xe6, 0xe6), base(0x1e, 0x1e, 0x1e),
        button(0x35, 0x35, 0x35);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, window);
    p.setColor(QPalette::ToolTipBase, button);
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, QColor(0xa0, 0xa0, 0xa0));
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, button);
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, Qt::white);
    p.setColor(QPalette::Light, QColor(0x50, 0x50, 0x50));
    p.setColor(QPalette::Midlight, QColor(0x45, 0x45, 0x45));
    p.setColor(QPalette::Mid, QColor(0x3c, 0x3c, 0x3c));
    p.setColor(QPalette::Dark, QColor(0x1a, 0x1a, 0x1a));
    p.setColor(QPalette::Shadow, Qt::black);
    p.setColor(QPalette::Highlight, QColor(0x3d, 0x8e, 0xd8));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Link, QColor(0x7c, 0xbc, 0xf0));
    p.setColor(QPalette::LinkVisited, QColor(0xb8, 0x9c, 0xf0));
    for (const QPalette::ColorRole role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        p.setColor(QPalette::Disabled, role, QColor(0x80, 0x80, 0x80));
    return p;
}

void Appearance::apply() {
    QFont font = QApplication::font();
    if (m_basePointSize > 0)
        font.setPointSizeF(m_presentation ? m_basePointSize * kPresentationScale : m_basePointSize);
    setLineScale(m_presentation ? kPresentationScale : 1.0);
    QApplication::setPalette(m_dark ? darkPalette() : m_basePalette);
    QApplication::setFont(font); // after the line scale: charts restyle on this change
}

} // namespace attnscope::gui
