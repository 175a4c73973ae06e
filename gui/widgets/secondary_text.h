#pragma once
// Secondary text (chart captions, hints under forms): quieter than body text, yet readable on a projector.
// Its colour is the window text blended toward the window background by a fixed share, so it follows the
// theme (light or dark) and keeps a WCAG 2.1 contrast ratio of at least 4.5:1 (tests/tst_gui_captions.cpp).
#include <QColor>

class QLabel;
class QPalette;

namespace attnscope::gui {

// The colour of secondary text on `palette`'s window background.
QColor secondaryTextColor(const QPalette& palette);
// WCAG 2.1 contrast ratio (1 … 21) of two opaque colours: (L1 + 0.05) / (L2 + 0.05) of relative luminances.
double contrastRatio(const QColor& a, const QColor& b);
// Gives `label` the secondary colour and keeps it in step when the application palette (theme) changes.
void makeSecondaryText(QLabel* label);

} // namespace attnscope::gui
