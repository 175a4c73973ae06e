#include "gui/views/layer_charts.h"

#include "gui/views/curve_chart.h"

#include <QEvent>
#include <QGridLayout>
#include <QResizeEvent>
#include <QScrollArea>
#include <algorithm>

namespace attnscope::gui {

LayerCharts::LayerCharts(const QString& keyPrefix, const QString& title, ChartSettings& settings, int columns,
                         QWidget* parent, bool defaultLogY)
    : QWidget(parent), m_keyPrefix(keyPrefix), m_title(title), m_settings(settings),
      m_maxColumns(std::max(1, columns)), m_columns(m_maxColumns), m_defaultLogY(defaultLogY),
      m_grid(new QGridLayout(this)) {
    m_grid->setContentsMargins(0, 0, 0, 0);
    m_grid->setSpacing(6);
}

CurveChart* LayerCharts::addSummary(const QString& key, const QString& title, bool defaultLogY) {
    auto* chart = new CurveChart(m_keyPrefix + "/" + key, title, &m_settings, this, defaultLogY);
    m_summaries.push_back(chart);
    place(chart);
    return chart;
}

void LayerCharts::ensureLayers(int layers) {
    while (int(m_layers.size()) < layers) {
        const int index = int(m_layers.size());
        auto* chart = new CurveChart(QStringLiteral("%1/layer%2").arg(m_keyPrefix).arg(index),
                                     m_title.arg(index), &m_settings, this, m_defaultLogY);
        if (!m_yLabel.isEmpty()) chart->setYLabel(m_yLabel);
        m_layers.push_back(chart);
        place(chart);
        if (m_shown >= 0 && index >= m_shown) chart->hide();
    }
    restretch();
}

void LayerCharts::showLayers(int layers) {
    m_shown = layers;
    for (int i = 0; i < int(m_layers.size()); ++i) m_layers[std::size_t(i)]->setVisible(i < layers);
    restretch();
}

int LayerCharts::shownLayerCount() const {
    return int(std::count_if(m_layers.begin(), m_layers.end(), [](CurveChart* c) { return !c->isHidden(); }));
}

void LayerCharts::restretch() {
    // Rows whose charts are all hidden take no room.
    const std::vector<CurveChart*> all = charts();
    const int rows = int(all.size() + m_columns - 1) / m_columns;
    for (int r = 0; r < rows; ++r) {
        bool shown = false;
        for (int c = 0; c < m_columns && r * m_columns + c < int(all.size()); ++c)
            shown = shown || !all[std::size_t(r * m_columns + c)]->isHidden();
        m_grid->setRowStretch(r, shown ? 1 : 0);
    }
}

CurveChart* LayerCharts::layer(int index) const {
    return index >= 0 && index < int(m_layers.size()) ? m_layers[std::size_t(index)] : nullptr;
}

std::vector<CurveChart*> LayerCharts::charts() const {
    std::vector<CurveChart*> all = m_summaries;
    all.insert(all.end(), m_layers.begin(), m_layers.end());
    return all;
}

void LayerCharts::setYLabel(const QString& label) {
    m_yLabel = label;
    for (CurveChart* c : m_layers) c->setYLabel(label);
}

QScrollArea* LayerCharts::inScrollArea() {
    auto* area = new QScrollArea(parentWidget());
    area->setFrameShape(QFrame::NoFrame);
    area->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff); // columns follow the width instead
    area->setWidgetResizable(true);
    area->setWidget(this);
    return area;
}

int LayerCharts::minimumChartHeight() const {
    return fontMetrics().height() * 9;
}

void LayerCharts::changeEvent(QEvent* event) {
    QWidget::changeEvent(event);
    if (event->type() != QEvent::FontChange) return;
    for (CurveChart* chart : charts()) chart->setMinimumHeight(minimumChartHeight());
}

void LayerCharts::resizeEvent(QResizeEvent* event) {
    QWidget::resizeEvent(event);
    const int fit = std::clamp(width() / kMinChartWidth, 1, m_maxColumns);
    if (fit == m_columns) return;
    m_columns = fit;
    relayout();
}

void LayerCharts::relayout() {
    const std::vector<CurveChart*> all = charts();
    for (CurveChart* c : all) m_grid->removeWidget(c);
    for (int r = 0; r < m_grid->rowCount(); ++r) m_grid->setRowStretch(r, 0);
    for (int c = 0; c < m_grid->columnCount(); ++c) m_grid->setColumnStretch(c, 0);
    for (std::size_t i = 0; i < all.size(); ++i)
        m_grid->addWidget(all[i], int(i) / m_columns, int(i) % m_columns);
    for (int c = 0; c < m_columns; ++c) m_grid->setColumnStretch(c, 1);
    restretch();
}

void LayerCharts::place(CurveChart* chart) {
    chart->setMinimumHeight(minimumChartHeight());
    const int index = int(m_summaries.size() + m_layers.size()) - 1;
    m_grid->addWidget(chart, index / m_columns, index % m_columns);
    for (int c = 0; c < m_columns; ++c) m_grid->setColumnStretch(c, 1);
}

} // namespace attnscope::gui
