#include "gui/views/chart_style.h"

#include "gui/widgets/display_scale.h"

#include <QApplication>
#include <QEvent>
#include <QPalette>
#include <algorithm>
#include <qcustomplot.h>

namespace attnscope::gui {

QColor chartInk(double towardBackground) {
    const QPalette palette = QApplication::palette();
    const QColor text = palette.color(QPalette::Text), background = palette.color(QPalette::Base);
    const auto channel = [&](double a, double b) { return float(a + (b - a) * towardBackground); };
    return QColor::fromRgbF(channel(text.redF(), background.redF()),
                            channel(text.greenF(), background.greenF()),
                            channel(text.blueF(), background.blueF()));
}

QColor chartBackground(int alpha) {
    QColor c = QApplication::palette().color(QPalette::Base);
    c.setAlpha(alpha);
    return c;
}

bool isAppearanceChange(const QEvent* event) {
    switch (event->type()) {
    case QEvent::FontChange:
    case QEvent::PaletteChange:
    case QEvent::ApplicationFontChange:
    case QEvent::ApplicationPaletteChange:
        return true;
    default:
        return false;
    }
}

QFont chartSmallFont() {
    QFont font = QApplication::font(); // follows presentation mode
    font.setPointSizeF(std::max(7.0, font.pointSizeF() - 1.0));
    return font;
}

void styleChartAxes(QCustomPlot& plot) {
    const QFont tickFont = chartSmallFont();
    for (QCPAxis* axis : {plot.xAxis, plot.yAxis}) {
        axis->setTickLabelFont(tickFont);
        axis->setLabelFont(tickFont);
        axis->setBasePen(QPen(chartInk(0.5), lineScale()));
        axis->setTickPen(QPen(chartInk(0.5), lineScale()));
        axis->setSubTickPen(QPen(chartInk(0.65)));
        axis->setTickLabelColor(chartInk(0.2));
        axis->setLabelColor(chartInk(0.2));
        axis->grid()->setPen(QPen(chartInk(0.88), 1, Qt::SolidLine));
        axis->grid()->setSubGridVisible(false);
        axis->setPadding(2);
        axis->setLabelPadding(2);
    }
    plot.axisRect()->setAutoMargins(QCP::msAll);
    plot.setBackground(chartBackground());
}

} // namespace attnscope::gui
