#pragma once
// How much larger lines and markers are drawn than normal: 1, or more in presentation mode (View ›
// Presentation mode, for a projector). Set by the app's Appearance; read by every chart when it restyles on
// an application font or palette change.
namespace attnscope::gui {

double lineScale();
void setLineScale(double scale);

} // namespace attnscope::gui
