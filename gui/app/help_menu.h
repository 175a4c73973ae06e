#pragma once
// The Help menu: lessons sit before it (LessonsController); this adds the keyboard-shortcut list, the
// documentation and About.
#include <QString>

class QMainWindow;
class QMenu;

namespace attnscope::gui {

// Every shortcut of `window` as an HTML table: its menu actions (with their menu path) and its window-wide
// keys (QShortcuts described by their whatsThis), read from the live objects so the list cannot drift.
QString shortcutListHtml(const QMainWindow& window);
// The folder holding README.md and docs/ (installed share/doc/attnscope, else the source tree); empty when
// neither is there.
QString documentationFolder();
// Fills `help` (Keyboard shortcuts, Documentation, About).
void fillHelpMenu(QMainWindow& window, QMenu* help);

} // namespace attnscope::gui
