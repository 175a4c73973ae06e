#pragma once
// Standalone measurement of the attention grid's redraw cost (the 16 ms frame budget), used by
// tests/tst_gui_attention.cpp to print the numbers; callable from a debug menu as well.
namespace attnscope {

// Wall time in milliseconds over the repeats: the median (typical frame) and the minimum (the cost with
// the machine otherwise idle; shared CI hosts make single samples noisy).
struct TimingSample {
    double median = 0;
    double min = 0;
};
struct GridRedrawTiming {
    TimingSample rebuild;    // setSnapshot: fields, ranges and colour-mapped images of every head
    TimingSample recolor;    // colormap change: images re-rendered from the cached fields
    TimingSample firstPaint; // first paint after new data, including thumbnail rescaling and the grid cache
    TimingSample repaint; // paint of grid + enlarged heatmap from caches (hover, expose: the per-frame cost)
};

// Builds an AttentionGridView of width×height px with a synthetic snapshot and times it. Needs a
// QApplication (offscreen is fine).
GridRedrawTiming measureGridRedraw(int layers, int heads, int length, int repeats, int width = 1600,
                                   int height = 900);

} // namespace attnscope
