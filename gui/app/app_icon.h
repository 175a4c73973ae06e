#pragma once
// The application icon embedded from resources/attnscope.qrc, in every rendered size (PNG, so no icon-engine
// plugin is needed). The desktop file names the same icon, installed under share/icons/hicolor.
#include <QIcon>

namespace attnscope::gui {

QIcon appIcon();

} // namespace attnscope::gui
