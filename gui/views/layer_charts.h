#pragma once
// A grid of small multiples: one optional summary chart followed by one chart per layer, created on demand
// as runs with more layers appear. Used by the entropy, logit and sink views.
#include <QString>
#include <QWidget>
#include <vector>

class QGridLayout;
class QScrollArea;

namespace attnscope::gui {

class ChartSettings;
class CurveChart;

class LayerCharts : public QWidget {
    Q_OBJECT
public:
    // `keyPrefix` names the charts in QSettings ("entropy" → "entropy/layer0"); `title` gets the layer
    // number through %1.
    LayerCharts(const QString& keyPrefix, const QString& title, ChartSettings& settings, int columns,
                QWidget* parent = nullptr, bool defaultLogY = false);

    // Leading charts that are not per layer (summaries); placed before the layer charts.
    CurveChart* addSummary(const QString& key, const QString& title, bool defaultLogY = false);
    void ensureLayers(int layers);
    // Shows the first `layers` layer charts and hides the rest (the layers only hidden runs have).
    void showLayers(int layers);
    int shownLayerCount() const;
    int layerCount() const { return int(m_layers.size()); }
    CurveChart* layer(int index) const;
    std::vector<CurveChart*> charts() const;
    void setYLabel(const QString& label);
    int columns() const { return m_columns; } // columns in use now (fewer than asked on a narrow page)
    // This grid inside a vertical scroll area, for the view's layout: rows keep a readable height (nine text
    // lines, so they grow in presentation mode) and scroll when the page is too short for them all.
    QScrollArea* inScrollArea();

    // A chart narrower than this has tick labels running together: the grid uses fewer columns instead.
    static constexpr int kMinChartWidth = 300;

protected:
    void resizeEvent(QResizeEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    void place(CurveChart* chart);
    void restretch();
    void relayout(); // every chart again, in m_columns columns
    int minimumChartHeight() const;

    QString m_keyPrefix, m_title;
    ChartSettings& m_settings;
    int m_maxColumns; // as constructed
    int m_columns;    // in use: as many as the width allows, at most m_maxColumns
    bool m_defaultLogY;
    QString m_yLabel;
    QGridLayout* m_grid;
    std::vector<CurveChart*> m_summaries, m_layers;
    int m_shown = -1; // layer charts shown; -1: all
};

} // namespace attnscope::gui
