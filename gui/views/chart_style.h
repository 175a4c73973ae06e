#pragma once
// The look every QCustomPlot chart of the app shares, from the application font and palette (light or dark
// theme, presentation mode): axes, ticks, grid, background, and the colours and fonts of the text drawn on
// a chart. Charts call styleChartAxes again on FontChange/PaletteChange.
#include <QColor>
#include <QFont>

class QCustomPlot;
class QEvent;

namespace attnscope::gui {

// Fonts, grid and margins shared by every chart, tuned for small multiples.
void styleChartAxes(QCustomPlot& plot);
// The palette's text colour moved `towardBackground` (0 … 1) of the way to the chart background: 0.2 for
// tick labels, 0.5 for axes, 0.88 for the grid.
QColor chartInk(double towardBackground);
// The chart background (the palette's Base), with `alpha` (legend boxes and labels over the data).
QColor chartBackground(int alpha = 255);
// True for the events through which QApplication::setFont/setPalette (Appearance: presentation mode, dark
// theme) reach a widget: FontChange/PaletteChange once its resolved font or palette changes, and the
// application-wide ones.
bool isAppearanceChange(const QEvent* event);
// The font of tick labels and of small text on a chart: a point smaller than the application font.
QFont chartSmallFont();

} // namespace attnscope::gui
