#pragma once
// What a publication figure shows and how it is sized. Shared by the GUI export dialog and
// `attnscope-cli plot`, so the same request gives the same file from both.
#include "figures/colormap.h"

#include <QString>
#include <optional>

namespace attnscope::figures {

// LrSensitivity is drawn from a sweep's summary (figures/sweep_figure.h), the others from runs.
enum class FigureView {
    Attention,
    Grid,
    Entropy,
    Logits,
    Sinks,
    Training,
    Extrapolation,
    ValueResidual,
    ExtremeTokens,
    LrSensitivity,
    Roles
};
// Every view, in the order the export dialog and `attnscope-cli plot --help` list them.
inline constexpr FigureView kAllViews[] = {
    FigureView::Attention,     FigureView::Grid,          FigureView::Entropy,
    FigureView::Logits,        FigureView::Sinks,         FigureView::Training,
    FigureView::Extrapolation, FigureView::ValueResidual, FigureView::ExtremeTokens,
    FigureView::LrSensitivity, FigureView::Roles};
enum class FigureFormat { Pdf, Svg, Png };

// "attention", "grid", "entropy", "logits", "sinks", "training", "extrapolation", "value-residual",
// "extreme-tokens", "lr-sensitivity", "roles" (heads × steps by role).
QString viewName(FigureView view);
std::optional<FigureView> parseView(const QString& name);
// From the file suffix (case-insensitive); nullopt for anything else.
std::optional<FigureFormat> formatForPath(const QString& path);
// "3.5in", "88.9mm", "2.5" (inches) → inches; nullopt when malformed or not positive.
std::optional<double> parseLength(const QString& text);
std::optional<ColormapKind> parseColormap(const QString& name);

struct FigureOptions {
    // IEEE one column is 3.5 in, two columns 7.16 in.
    double widthIn = 3.5;
    double heightIn = 2.5;
    QString fontFamily = QStringLiteral("DejaVu Sans"); // TrueType, so PDFs embed it (no Type 3)
    double fontPt = 8;
    ColormapKind colormap = ColormapKind::Viridis;
    bool colorbar = true;
    bool legend = true;
    bool title = true;
    bool logY = false; // curve figures: logarithmic y axis (non-positive values are left out)
    int dpi = 300;     // PNG pixels per inch, and heatmap cell rasters inside PDF/SVG
};

struct FigureRequest {
    FigureView view = FigureView::Attention;
    int step = -1; // -1: the latest recorded step
    int layer = 0;
    int head = 0;
    int pinStep = -1; // step A pinned against the cursor (B): curve figures mark it too; < 0 = none
};

} // namespace attnscope::figures
