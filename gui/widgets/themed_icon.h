#pragma once
// A style's standard icon (media controls, …) drawn in the application palette's button text colour at
// paint time: black glyphs in the light theme, light ones in the dark theme, without rebuilding the buttons
// when View › Dark theme changes the palette.
#include <QIcon>
#include <QStyle>

namespace attnscope::gui {

QIcon themedStandardIcon(QStyle::StandardPixmap icon);

} // namespace attnscope::gui
