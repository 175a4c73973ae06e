#pragma once
// Standalone measurement of the attention grid's redraw cost (the 16 ms frame budget), used by
// tests/tst_gui_attention.cpp to print the numbers; callable from a debug menu as well.
namespace attnscope {

// Milliseconds over the repeats: wall-time median (typical frame) and minimum (the machine otherwise
// idle), and the median process CPU time, which a loaded shared host inflates much less than wall time.
struct TimingSample {
    double median = 0;
    double min = 0;
    double cpuMedian = 0;
};
struct GridRedrawTiming {
    TimingSample rebuild;    // setSnapshot: fields, ranges and colour-mapped images of every head
    TimingSample recolor;    // colormap change and the paint that re-renders images from the cached fields
    TimingSample firstPaint; // first paint after new data, including thumbnail rescaling and the grid cache
    TimingSample repaint; // paint of grid + enlarged heatmap from caches (hover, expose: the per-frame cost)
};

// Builds an AttentionGridView of width×height px with a synthetic snapshot and times it. Needs a
// QApplication (offscreen is fine).
GridRedrawTiming measureGridRedraw(int layers, int heads, int length, int repeats, int width = 1600,
                                   int height = 900);

} // namespace attnscope
