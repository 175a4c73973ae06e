#pragma once
// One line chart with the behaviour every curve view shares: debiased-EMA smoothing with the
// raw line faint behind, a remembered log-y toggle, outlier-robust auto-range, a hover readout of every
// series at the cursor step, rectangle zoom, double-click reset and event markers. Data is appended to
// per-series buffers and flushed into QCustomPlot on refresh(), so a long live run never rebuilds its
// graphs per tick; a hidden chart only marks itself dirty and catches up when it is shown.
#include <QColor>
#include <QString>
#include <QWidget>
#include <memory>
#include <set>
#include <vector>

class QCustomPlot;
class QCPItemStraightLine;
class QCPItemText;
class QLabel;
class QToolButton;

namespace attnscope::gui {

class ChartSettings;

struct SeriesStyle {
    QString name; // in the hover readout, e.g. "baseline · head 2"
    QColor color;
    Qt::PenStyle pen = Qt::SolidLine;
    double width = 1.5;
    bool smoothable = true; // false: drawn exactly (learning rate, bounds, sparse evaluations)
    bool points = false;    // a marker at every point (sparse series)
    int group = 0;          // run id: a group is shown, hidden, emphasised and removed together
};

class CurveChart : public QWidget {
    Q_OBJECT
public:
    // `key` names the chart in QSettings (remembered log-y); `settings` is shared by all charts.
    // `defaultLogY` applies until the user toggles log-y once for this chart.
    CurveChart(const QString& key, const QString& title, ChartSettings* settings, QWidget* parent = nullptr,
               bool defaultLogY = false);
    ~CurveChart() override;

    int addSeries(const SeriesStyle& style);
    void setSeriesStyle(int id, const SeriesStyle& style);
    void append(int id, double x, double y);
    void replaceData(int id, const std::vector<double>& x, const std::vector<double>& y);
    void removeGroup(int group);
    void setGroupVisible(int group, bool visible);
    void setEmphasizedGroup(int group); // drawn thicker and on top (the selected run)
    void clear();

    void addMarker(int group, double x, const QColor& color, const QString& text);

    void setTitle(const QString& title);
    void setXLabel(const QString& label);
    void setYLabel(const QString& label);
    void setPlaceholder(const QString& text); // shown while no visible series has data
    // A small colour key in a corner of the plot, the one where it covers the fewest points (rich text,
    // e.g. "■ H0 ■ H1"); empty hides it.
    void setKey(const QString& html);
    QString key() const;
    // The run legend in the chart's header row (never over the data): "■ run ■ run" in the runs' colours;
    // `tooltip` holds the full names. Shown while non-empty and the shared settings' legend switch is on.
    void setRunLegend(const QString& html, const QString& tooltip);
    QString runLegend() const;
    bool runLegendShown() const;
    void setSmoothingEnabled(bool on); // off for charts whose x is not time (profiles)
    // Steps the auto-fitted x range always covers (the views pass 0 … the newest step of the visible runs,
    // so every chart of a tab lines up, also those fed by sparse probe snapshots).
    void setXDomain(double lo, double hi);
    // The auto-fitted linear y range spans at least this much (0: none), so that differences far below the
    // quantity's scale are not stretched over the whole chart.
    void setMinimumYSpan(double span) { m_minYSpan = span; }
    // For charts whose extremes are the point (a sink is one key far above the rest): the y range always
    // includes every value, whatever "Ignore outliers" says.
    void setKeepExtremesInView(bool on) { m_keepExtremes = on; }
    bool logY() const { return m_logY; }
    void setLogY(bool on);
    void resetView();
    // Flushes appended data, re-fits the axes unless the user zoomed, and queues one replot.
    void refresh();

    // Introspection (tests, readout)
    QString settingsKey() const { return m_key; }
    int seriesCount() const;
    std::size_t pointCount(int id) const;
    std::size_t visiblePointCount() const; // over visible series
    std::size_t markerCount() const;
    QCustomPlot* plot() const { return m_plot; }
    QString readoutAt(double x) const; // the hover text (HTML) at step x
    double valueAt(int id, double x, bool smoothed) const;

signals:
    void stepClicked(double x); // a click (not a drag) inside the plot

protected:
    void showEvent(QShowEvent* event) override;
    bool eventFilter(QObject* watched, QEvent* event) override;
    // A theme or presentation-mode switch (application palette or font): axes, lines and text restyle.
    void changeEvent(QEvent* event) override;

private:
    struct Series;
    struct Marker;
    Series* series(int id);
    const Series* series(int id) const;
    double smoothedValue(Series& s, double y) const;
    void applyStyle(Series& s);
    void flush(Series& s);
    void resmooth();
    void fitView();
    void updateAxisScale();
    void updatePlaceholder();
    void showReadout(const QPoint& pos, const QPoint& globalPos);
    void hideReadout();
    void showContextMenu(const QPoint& pos);
    void placeKey();
    void styleKey(); // the key's colours and font from the application palette and font

    QString m_key;
    ChartSettings* m_settings;
    QLabel* m_title;
    QToolButton* m_logButton;
    QCustomPlot* m_plot;
    QCPItemStraightLine* m_cursor;
    QCPItemText* m_placeholder;
    QLabel* m_keyLabel;
    QLabel* m_runLegend;
    std::vector<std::unique_ptr<Series>> m_series;
    std::vector<Marker> m_markers;
    int m_nextId = 1;
    int m_emphasized = 0;
    std::set<int> m_hiddenGroups; // series added later to a hidden run start hidden
    bool m_smoothingEnabled = true;
    bool m_logY = false;
    double m_minYSpan = 0;
    bool m_keepExtremes = false;
    bool m_autoFit = true; // false once the user zooms; double-click restores it
    bool m_dirty = false;
    double m_domainLo = 0, m_domainHi = -1; // empty while hi < lo
    QPoint m_pressPos;
};

} // namespace attnscope::gui
