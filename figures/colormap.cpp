#include "figures/colormap.h"
#include "figures/colormap_tables.h"

#include <algorithm>
#include <cmath>

namespace attnscope::figures {

namespace {

constexpr QChar kMinus(0x2212);

// 1-2-5 step with at most maxTicks intervals over span.
double niceStep(double span, int maxTicks) {
    const double raw = span / std::max(1, maxTicks);
    const double mag = std::pow(10.0, std::floor(std::log10(raw)));
    const double r = raw / mag;
    const double nice = r <= 1.0 ? 1.0 : r <= 2.0 ? 2.0 : r <= 5.0 ? 5.0 : 10.0;
    return nice * mag;
}

QString superscript(int n) {
    static const char16_t digits[] = u"⁰¹²³⁴⁵⁶⁷⁸⁹";
    QString s = QString::number(std::abs(n));
    for (QChar& c : s) c = QChar(digits[c.digitValue()]);
    return n < 0 ? QChar(0x207B) + s : s;
}

} // namespace

bool ValueRange::isValid() const {
    return std::isfinite(lo) && std::isfinite(hi) && hi > lo;
}

ValueRange ValueRange::united(const ValueRange& other) const {
    if (!other.isValid()) return *this;
    if (!isValid()) return other;
    return {std::min(lo, other.lo), std::max(hi, other.hi)};
}

const Colormap& Colormap::get(ColormapKind kind) {
    static const Colormap viridis(ColormapKind::Viridis, &colormap_tables::kViridis);
    static const Colormap magma(ColormapKind::Magma, &colormap_tables::kMagma);
    static const Colormap cividis(ColormapKind::Cividis, &colormap_tables::kCividis);
    static const Colormap diverging(ColormapKind::Diverging, &colormap_tables::kRdBuR);
    switch (kind) {
    case ColormapKind::Magma:
        return magma;
    case ColormapKind::Cividis:
        return cividis;
    case ColormapKind::Diverging:
        return diverging;
    case ColormapKind::Viridis:
        break;
    }
    return viridis;
}

QList<ColormapKind> Colormap::sequentialKinds() {
    return {ColormapKind::Viridis, ColormapKind::Magma, ColormapKind::Cividis};
}

QString Colormap::name() const {
    return toDisplayString(m_kind);
}

QRgb Colormap::at(double t) const {
    if (std::isnan(t)) return maskedColor();
    return entry(std::min(kSize - 1, int(std::clamp(t, 0.0, 1.0) * kSize))); // same bins as ColorNorm::index
}

QRgb Colormap::maskedColor() const {
    return isDiverging() ? qRgb(0xc8, 0xc8, 0xc8) : qRgb(0xe6, 0xe6, 0xe6);
}

QString toDisplayString(ColormapKind kind) {
    switch (kind) {
    case ColormapKind::Viridis:
        return QStringLiteral("viridis");
    case ColormapKind::Magma:
        return QStringLiteral("magma");
    case ColormapKind::Cividis:
        return QStringLiteral("cividis");
    case ColormapKind::Diverging:
        return QStringLiteral("RdBu (diverging)");
    }
    return {};
}

ColorNorm::ColorNorm(ValueRange range, ColorScale scale) : m_range(range), m_scale(scale) {
    if (m_scale == ColorScale::Log) {
        // A log axis needs a positive floor; fall back to the default dynamic range below hi.
        if (!(m_range.hi > 0)) m_range.hi = 1;
        if (!(m_range.lo > 0) || m_range.lo >= m_range.hi)
            m_range.lo = m_range.hi * std::pow(10.0, -kLogDecades);
        m_logLo = std::log(m_range.lo);
        m_span = std::log(m_range.hi) - m_logLo;
    } else {
        // A degenerate range (constant map) still needs a finite slope; such maps render at t = 0.
        if (!(m_range.hi > m_range.lo)) m_range.hi = m_range.lo + 1e-12;
        m_span = m_range.hi - m_range.lo;
    }
    m_fLo = float(m_range.lo);
    m_fSpan = float(m_span);
}

double ColorNorm::normalize(double v) const {
    double t;
    if (m_scale == ColorScale::Log)
        t = v <= m_range.lo ? 0.0 : (std::log(v) - m_logLo) / m_span;
    else
        t = (v - m_range.lo) / m_span;
    return std::clamp(t, 0.0, 1.0);
}

double ColorNorm::value(double t) const {
    if (m_scale == ColorScale::Log) return std::exp(m_logLo + t * m_span);
    return m_range.lo + t * m_span;
}

int ColorNorm::index(float v) const {
    // matplotlib's convention: floor(t · N) with t = 1 folded into the last entry, so every colour covers
    // an equal slice of the range. Dividing by the span (not multiplying by its inverse) keeps the centre
    // of a symmetric range at exactly t = 0.5, i.e. the diverging map's white entry.
    float x;
    if (m_scale == ColorScale::Log)
        x = v <= m_fLo ? 0.0f : float((std::log(double(v)) - m_logLo) / m_span) * Colormap::kSize;
    else
        x = (v - m_fLo) / m_fSpan * Colormap::kSize;
    // NaN-safe clamp: comparisons with NaN are false, so NaN lands on index 0.
    if (!(x > 0.0f)) return 0;
    if (x >= Colormap::kSize - 1) return Colormap::kSize - 1;
    return int(x);
}

std::vector<double> ColorNorm::ticks(int maxTicks) const {
    std::vector<double> out;
    const double lo = m_range.lo, hi = m_range.hi;
    const double eps = (hi - lo) * 1e-9;
    if (m_scale == ColorScale::Linear) {
        const double step = niceStep(hi - lo, maxTicks);
        for (double k = std::ceil((lo - eps) / step); k * step <= hi + eps; k += 1.0)
            out.push_back(std::abs(k) < 0.5 ? 0.0 : k * step);
        return out;
    }
    const int d0 = int(std::ceil(std::log10(lo) - 1e-9));
    const int d1 = int(std::floor(std::log10(hi) + 1e-9));
    const int decades = d1 - d0 + 1;
    if (decades >= 2) {
        const int stride = std::max(1, (decades + maxTicks - 1) / std::max(1, maxTicks));
        for (int d = d1; d >= d0; d -= stride) out.insert(out.begin(), std::pow(10.0, d));
        return out;
    }
    // Less than two decades: 1-2-5 multiples so the bar still gets a few labelled ticks.
    for (int d = d0 - 1; d <= d1; ++d)
        for (double m : {1.0, 2.0, 5.0}) {
            const double v = m * std::pow(10.0, d);
            if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) out.push_back(v);
        }
    return out;
}

ValueRange logRange(double minPositive, double hi) {
    if (!(hi > 0)) return {std::pow(10.0, -kLogDecades), 1.0};
    const double floor = hi * std::pow(10.0, -kLogDecades);
    const double lo = minPositive > 0 ? std::max(minPositive, floor) : floor;
    return {lo < hi ? lo : floor, hi};
}

QString formatTick(double v, ColorScale scale, double step) {
    if (scale == ColorScale::Log) {
        const double e = std::log10(v);
        if (std::abs(e - std::round(e)) < 1e-6) return QStringLiteral("10") + superscript(int(std::round(e)));
        return QString::number(v, 'g', 3);
    }
    const int decimals = step > 0 ? std::clamp(int(std::ceil(-std::log10(step) - 1e-9)), 0, 6) : 3;
    QString s = QString::number(v, 'f', decimals);
    if (s.startsWith(QLatin1Char('-'))) {
        // "-0.00" after rounding is just zero.
        if (QString(s).remove(QLatin1Char('-')).remove(QLatin1Char('0')).remove(QLatin1Char('.')).isEmpty())
            return s.mid(1);
        s[0] = kMinus;
    }
    return s;
}

} // namespace attnscope::figures
