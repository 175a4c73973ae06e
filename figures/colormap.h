#pragma once
// Colour mapping for attention maps: perceptually uniform sequential maps for weights (viridis, magma,
// cividis) and a diverging map centred on 0 for differences, plus linear/log value normalisation and
// colorbar ticks. Sequential maps follow matplotlib's conventions (viridis, and a diverging map centred on
// 0).
#include <QList>
#include <QRgb>
#include <QString>
#include <array>
#include <vector>

namespace attnscope::figures {

enum class ColormapKind { Viridis, Magma, Cividis, Diverging };
enum class ColorScale { Linear, Log };
// How heads of a grid share colours: each its own visible range, one range over all heads, or a fixed
// [0, 1] (±1 for differences) that stays comparable across steps and runs.
enum class RangeMode { PerHead, Shared, Fixed };

struct ValueRange {
    double lo = 0;
    double hi = 1;
    bool isValid() const;
    // Smallest range covering both; an invalid side is ignored.
    ValueRange united(const ValueRange& other) const;
    bool operator==(const ValueRange&) const = default;
};

class Colormap {
public:
    static constexpr int kSize = 256;

    static const Colormap& get(ColormapKind kind);
    // Maps offered for attention weights (the diverging map is reserved for signed values).
    static QList<ColormapKind> sequentialKinds();

    ColormapKind kind() const { return m_kind; }
    QString name() const;
    bool isDiverging() const { return m_kind == ColormapKind::Diverging; }
    // t ∈ [0, 1] (clamped); NaN maps to the masked colour so a bad value never looks like data.
    QRgb at(double t) const;
    QRgb entry(int index) const { return (*m_lut)[std::size_t(index)]; }
    const std::array<QRgb, kSize>& table() const { return *m_lut; }
    // Neutral grey for masked cells: light on sequential maps, darker on the diverging map, whose centre
    // (no difference) is already near-white.
    QRgb maskedColor() const;

private:
    Colormap(ColormapKind kind, const std::array<QRgb, kSize>* lut) : m_kind(kind), m_lut(lut) {}
    ColormapKind m_kind;
    const std::array<QRgb, kSize>* m_lut;
};

QString toDisplayString(ColormapKind kind);

// Data value → colormap position t ∈ [0, 1] for a range and a scale.
class ColorNorm {
public:
    ColorNorm() = default;
    ColorNorm(ValueRange range, ColorScale scale);

    ValueRange range() const { return m_range; }
    ColorScale scale() const { return m_scale; }
    // Clamped to [0, 1]. Log scale: values ≤ range.lo (including 0) map to 0.
    double normalize(double v) const;
    // Inverse of normalize, for placing colorbar ticks.
    double value(double t) const;
    // LUT index in [0, 255]: floor(t · 256), clamped. The hot loop of image building.
    int index(float v) const;
    // Tick values inside the range: 1-2-5 steps (linear) or decades with 2 and 5 subdivisions (log).
    std::vector<double> ticks(int maxTicks) const;

private:
    ValueRange m_range;
    ColorScale m_scale = ColorScale::Linear;
    double m_logLo = 0, m_span = 1; // span in log units on a log scale
    float m_fLo = 0, m_fSpan = 1;   // float copies for the per-cell path
};

// Decades kept below the top of a log-scaled range: attention tails underflow to 1e-30, so the smallest
// visible value alone would spend most of the colormap on numerically meaningless weights.
inline constexpr double kLogDecades = 4.0;
ValueRange logRange(double minPositive, double hi);

// Tick label: "0.25", "−0.1" (typographic minus), "10⁻³" for exact decades on log scales.
QString formatTick(double v, ColorScale scale, double step);

} // namespace attnscope::figures
