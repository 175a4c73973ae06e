#include "figures/figure_spec.h"

#include <QFileInfo>

namespace attnscope::figures {

QString viewName(FigureView view) {
    switch (view) {
    case FigureView::Attention:
        return QStringLiteral("attention");
    case FigureView::Grid:
        return QStringLiteral("grid");
    case FigureView::Entropy:
        return QStringLiteral("entropy");
    case FigureView::Logits:
        return QStringLiteral("logits");
    case FigureView::Sinks:
        return QStringLiteral("sinks");
    case FigureView::Training:
        return QStringLiteral("training");
    case FigureView::Extrapolation:
        return QStringLiteral("extrapolation");
    case FigureView::ValueResidual:
        return QStringLiteral("value-residual");
    case FigureView::ExtremeTokens:
        return QStringLiteral("extreme-tokens");
    case FigureView::LrSensitivity:
        return QStringLiteral("lr-sensitivity");
    case FigureView::Roles:
        return QStringLiteral("roles");
    }
    return {};
}

std::optional<FigureView> parseView(const QString& name) {
    for (FigureView v : kAllViews)
        if (viewName(v) == name.trimmed().toLower()) return v;
    return std::nullopt;
}

std::optional<FigureFormat> formatForPath(const QString& path) {
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("pdf")) return FigureFormat::Pdf;
    if (suffix == QLatin1String("svg")) return FigureFormat::Svg;
    if (suffix == QLatin1String("png")) return FigureFormat::Png;
    return std::nullopt;
}

std::optional<double> parseLength(const QString& text) {
    QString t = text.trimmed().toLower();
    double scale = 1; // inches
    if (t.endsWith(QLatin1String("in")))
        t.chop(2);
    else if (t.endsWith(QLatin1String("mm")))
        t.chop(2), scale = 1 / 25.4;
    else if (t.endsWith(QLatin1String("cm")))
        t.chop(2), scale = 1 / 2.54;
    else if (t.endsWith(QLatin1String("pt")))
        t.chop(2), scale = 1 / 72.0;
    bool ok = false;
    const double v = t.trimmed().toDouble(&ok) * scale;
    if (!ok || !(v > 0) || v > 100) return std::nullopt;
    return v;
}

std::optional<ColormapKind> parseColormap(const QString& name) {
    for (ColormapKind k :
         {ColormapKind::Viridis, ColormapKind::Magma, ColormapKind::Cividis, ColormapKind::Diverging})
        if (Colormap::get(k).name().compare(name.trimmed(), Qt::CaseInsensitive) == 0) return k;
    return std::nullopt;
}

} // namespace attnscope::figures
