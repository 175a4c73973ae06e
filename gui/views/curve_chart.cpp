#include "gui/views/curve_chart.h"

#include "gui/views/chart_settings.h"
#include "gui/views/curve_chart_parts.h"
#include "gui/views/robust_range.h"
#include "gui/views/smoothing.h"
#include "gui/widgets/display_scale.h"

#include <QApplication>
#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QToolButton>
#include <QToolTip>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <limits>
#include <qcustomplot.h>

namespace attnscope::gui {
namespace {
constexpr std::size_t kMaxMarkers = 200; // beyond this, markers would hide the curves
} // namespace

CurveChart::CurveChart(const QString& key, const QString& title, ChartSettings* settings, QWidget* parent,
                       bool defaultLogY)
    : QWidget(parent), m_key(key), m_settings(settings) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->setSpacing(0);
    auto* header = new QHBoxLayout;
    header->setContentsMargins(6, 0, 2, 0);
    m_title = new QLabel(title, this);
    m_title->setToolTip(title);
    m_title->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred); // long titles clip, never widen
    QFont titleFont = m_title->font();
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_logButton = new QToolButton(this);
    m_logButton->setText(QStringLiteral("log y"));
    m_logButton->setCheckable(true);
    m_logButton->setAutoRaise(true);
    m_logButton->setToolTip(tr("Logarithmic y axis (remembered for this chart)"));
    m_runLegend = new QLabel(this);
    m_runLegend->setObjectName(QStringLiteral("runLegend"));
    m_runLegend->setTextFormat(Qt::RichText);
    m_runLegend->setAlignment(Qt::AlignLeft | Qt::AlignTop); // a third line is cut, never the first
    m_runLegend->setWordWrap(true); // many runs take a second line instead of widening the chart
    m_runLegend->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_runLegend->setContentsMargins(6, 0, 2, 0);
    QFont legendFont = m_runLegend->font();
    legendFont.setPointSizeF(std::max(7.0, legendFont.pointSizeF() - 1));
    m_runLegend->setFont(legendFont);
    // At most two lines: with many runs the rest is in the tooltip, and the plot keeps its height.
    m_runLegend->setMaximumHeight(2 * QFontMetrics(legendFont).lineSpacing() + 2);
    m_runLegend->hide();
    header->addWidget(m_title, 1);
    header->addWidget(m_logButton);
    layout->addLayout(header);
    layout->addWidget(m_runLegend); // its own row under the title, never over the data

    m_plot = new QCustomPlot(this);
    m_plot->setMinimumSize(160, 110);
    m_plot->setNoAntialiasingOnDrag(true);
    m_plot->setInteraction(QCP::iRangeZoom, true);
    m_plot->axisRect()->setRangeZoom(Qt::Horizontal); // wheel zooms steps; drag draws a zoom rectangle
    m_plot->setSelectionRectMode(QCP::srmZoom);
    styleChartAxes(*m_plot);
    m_plot->addLayer(QStringLiteral("emphasis"), m_plot->layer(QStringLiteral("main")),
                     QCustomPlot::limAbove);
    // Sparse point series (validation loss) sit above every line so dense curves never hide them.
    m_plot->addLayer(QStringLiteral("points"), m_plot->layer(QStringLiteral("emphasis")),
                     QCustomPlot::limAbove);
    m_plot->xAxis->setLabel(tr("step"));
    layout->addWidget(m_plot, 1);

    m_cursor = new QCPItemStraightLine(m_plot);
    m_cursor->setPen(QPen(QColor(0, 0, 0, 90), 1, Qt::DotLine));
    m_cursor->setVisible(false);
    m_cursor->setSelectable(false);
    m_placeholder = new QCPItemText(m_plot);
    m_placeholder->position->setType(QCPItemPosition::ptAxisRectRatio);
    m_placeholder->position->setCoords(0.5, 0.5);
    m_placeholder->setColor(chartInk(0.45));
    m_placeholder->setSelectable(false);
    m_placeholder->setText(tr("no data yet"));

    m_keyLabel = new QLabel(m_plot);
    m_keyLabel->setAttribute(Qt::WA_TransparentForMouseEvents); // the plot keeps hover and zoom
    m_keyLabel->setTextFormat(Qt::RichText);
    styleKey();
    m_keyLabel->hide();
    connect(m_plot, &QCustomPlot::afterLayout, this, &CurveChart::placeKey);

    m_logY = ChartSettings::logY(m_key, defaultLogY);
    m_logButton->setChecked(m_logY);
    updateAxisScale();
    connect(m_logButton, &QToolButton::toggled, this, &CurveChart::setLogY);

    if (m_settings) {
        connect(m_settings, &ChartSettings::smoothingChanged, this, [this] {
            resmooth();
            refresh();
        });
        connect(m_settings, &ChartSettings::ignoreOutliersChanged, this, [this] { refresh(); });
        connect(m_settings, &ChartSettings::showRunLegendChanged, this,
                [this](bool on) { m_runLegend->setVisible(on && !m_runLegend->text().isEmpty()); });
    }
    connect(m_plot, &QCustomPlot::mouseDoubleClick, this, [this] { resetView(); });
    connect(m_plot, &QCustomPlot::mouseWheel, this, [this] { m_autoFit = false; });
    connect(m_plot->selectionRect(), &QCPSelectionRect::accepted, this, [this] { m_autoFit = false; });
    connect(m_plot, &QCustomPlot::mouseMove, this,
            [this](QMouseEvent* e) { showReadout(e->pos(), e->globalPosition().toPoint()); });
    connect(m_plot, &QCustomPlot::mousePress, this, [this](QMouseEvent* e) { m_pressPos = e->pos(); });
    connect(m_plot, &QCustomPlot::mouseRelease, this, [this](QMouseEvent* e) {
        if (e->button() == Qt::LeftButton && (e->pos() - m_pressPos).manhattanLength() <= 3 &&
            m_plot->axisRect()->rect().contains(e->pos()))
            emit stepClicked(m_plot->xAxis->pixelToCoord(e->pos().x()));
    });
    m_plot->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_plot, &QWidget::customContextMenuRequested, this, &CurveChart::showContextMenu);
    m_plot->installEventFilter(this);
    updatePlaceholder();
}

CurveChart::~CurveChart() = default;

CurveChart::Series* CurveChart::series(int id) {
    for (auto& s : m_series)
        if (s->id == id) return s.get();
    return nullptr;
}

const CurveChart::Series* CurveChart::series(int id) const {
    for (const auto& s : m_series)
        if (s->id == id) return s.get();
    return nullptr;
}

int CurveChart::addSeries(const SeriesStyle& style) {
    auto s = std::make_unique<Series>();
    s->id = m_nextId++;
    s->style = style;
    s->visible = !m_hiddenGroups.count(style.group);
    s->raw = m_plot->addGraph();
    s->smooth = m_plot->addGraph();
    s->raw->setSelectable(QCP::stNone);
    s->smooth->setSelectable(QCP::stNone);
    applyStyle(*s);
    m_series.push_back(std::move(s));
    return m_series.back()->id;
}

void CurveChart::setSeriesStyle(int id, const SeriesStyle& style) {
    if (Series* s = series(id)) {
        const bool wasSmoothable = s->style.smoothable;
        s->style = style;
        if (wasSmoothable != style.smoothable) {
            s->ema = {};
            s->s.clear();
            for (double v : s->y) s->s.push_back(smoothedValue(*s, v));
            s->smooth->data()->clear();
            s->flushedSmooth = 0;
        }
        applyStyle(*s);
    }
}

double CurveChart::smoothedValue(Series& s, double y) const {
    if (!s.style.smoothable || !m_smoothingEnabled || !m_settings) return y;
    return emaStep(s.ema, y, m_settings->smoothing());
}

void CurveChart::append(int id, double x, double y) {
    Series* s = series(id);
    if (!s) return;
    s->x.push_back(x);
    s->y.push_back(y);
    s->s.push_back(smoothedValue(*s, y));
    m_dirty = true;
}

void CurveChart::replaceData(int id, const std::vector<double>& x, const std::vector<double>& y) {
    Series* s = series(id);
    if (!s) return;
    s->x = x;
    s->y = y;
    s->x.resize(std::min(x.size(), y.size()));
    s->y.resize(s->x.size());
    s->raw->data()->clear();
    s->smooth->data()->clear();
    s->flushedRaw = s->flushedSmooth = 0;
    s->ema = {};
    s->s.clear();
    for (double v : s->y) s->s.push_back(smoothedValue(*s, v));
    m_dirty = true;
}

void CurveChart::removeGroup(int group) {
    m_hiddenGroups.erase(group);
    for (auto it = m_series.begin(); it != m_series.end();) {
        if ((*it)->style.group == group) {
            m_plot->removeGraph((*it)->raw);
            m_plot->removeGraph((*it)->smooth);
            it = m_series.erase(it);
        } else {
            ++it;
        }
    }
    for (auto it = m_markers.begin(); it != m_markers.end();) {
        if (it->group == group) {
            m_plot->removeItem(it->line);
            it = m_markers.erase(it);
        } else {
            ++it;
        }
    }
    m_dirty = true;
}

void CurveChart::setGroupVisible(int group, bool visible) {
    if (visible)
        m_hiddenGroups.erase(group);
    else
        m_hiddenGroups.insert(group);
    for (auto& s : m_series)
        if (s->style.group == group) {
            s->visible = visible;
            applyStyle(*s);
        }
    for (auto& m : m_markers)
        if (m.group == group) m.line->setVisible(visible);
    m_dirty = true;
}

void CurveChart::setEmphasizedGroup(int group) {
    if (m_emphasized == group) return;
    m_emphasized = group;
    for (auto& s : m_series) applyStyle(*s);
    m_dirty = true;
}

void CurveChart::clear() {
    for (auto& s : m_series) {
        m_plot->removeGraph(s->raw);
        m_plot->removeGraph(s->smooth);
    }
    m_series.clear();
    for (auto& m : m_markers) m_plot->removeItem(m.line);
    m_markers.clear();
    m_dirty = true;
}

void CurveChart::addMarker(int group, double x, const QColor& color, const QString& text) {
    if (m_markers.size() >= kMaxMarkers) return;
    auto* line = new QCPItemStraightLine(m_plot);
    line->setSelectable(false);
    QColor c = color;
    c.setAlpha(150);
    line->setPen(QPen(c, 1.2, Qt::DashLine));
    // Straight lines are infinite: two points at the same x give a vertical marker on any y scale.
    line->point1->setCoords(x, 1);
    line->point2->setCoords(x, 2);
    line->setVisible(!m_hiddenGroups.count(group));
    m_markers.push_back({group, x, color, text, line});
    m_dirty = true;
}

void CurveChart::setTitle(const QString& title) {
    m_title->setText(title);
}
void CurveChart::setXLabel(const QString& label) {
    m_plot->xAxis->setLabel(label);
}
void CurveChart::setYLabel(const QString& label) {
    m_plot->yAxis->setLabel(label);
}

void CurveChart::setPlaceholder(const QString& text) {
    m_placeholder->setText(text);
    updatePlaceholder();
}

void CurveChart::setKey(const QString& html) {
    if (m_keyLabel->text() == html && m_keyLabel->isVisible() == !html.isEmpty()) return;
    m_keyLabel->setText(html);
    m_keyLabel->setVisible(!html.isEmpty());
    placeKey();
}

QString CurveChart::key() const {
    return m_keyLabel->text();
}

void CurveChart::setRunLegend(const QString& html, const QString& tooltip) {
    m_runLegend->setText(html);
    m_runLegend->setToolTip(tooltip);
    m_runLegend->setVisible(!html.isEmpty() && (!m_settings || m_settings->showRunLegend()));
}

QString CurveChart::runLegend() const {
    return m_runLegend->text();
}

bool CurveChart::runLegendShown() const {
    return !m_runLegend->isHidden();
}

// The key goes in the corner of the axes where it covers the fewest drawn points (top right on a tie), so
// it does not hide a curve when another corner is free.
void CurveChart::placeKey() {
    if (m_keyLabel->text().isEmpty()) return;
    m_keyLabel->adjustSize();
    const QRect area = m_plot->axisRect()->rect();
    const QSize size = m_keyLabel->size();
    // A key larger than half the axes (a short chart in presentation mode) would hide the data it names:
    // left out; the hover readout names every line.
    const bool fits = size.height() * 2 <= area.height() && size.width() * 5 <= area.width() * 4;
    m_keyLabel->setVisible(fits);
    if (!fits) return;
    constexpr int kMargin = 3;
    const int left = area.left() + kMargin, right = area.right() - size.width() - kMargin;
    const int top = area.top() + kMargin, bottom = area.bottom() - size.height() - kMargin;
    const QPoint corners[] = {{right, top}, {left, top}, {right, bottom}, {left, bottom}};
    std::size_t fewest = std::numeric_limits<std::size_t>::max();
    QPoint best = corners[0];
    for (const QPoint& corner : corners) {
        const QRectF box(corner, size);
        std::size_t covered = 0;
        for (const auto& series : m_series) {
            if (!series->visible) continue;
            const std::size_t stride = std::max<std::size_t>(1, series->x.size() / 500); // a sample suffices
            for (std::size_t i = 0; i < series->x.size(); i += stride)
                if (std::isfinite(series->s[i]) && box.contains(m_plot->xAxis->coordToPixel(series->x[i]),
                                                                m_plot->yAxis->coordToPixel(series->s[i])))
                    ++covered;
        }
        if (covered < fewest) fewest = covered, best = corner;
    }
    m_keyLabel->move(best);
}

void CurveChart::styleKey() {
    m_keyLabel->setStyleSheet(
        QStringLiteral("QLabel { background: %1; color: %2; border: 1px solid %3; "
                       "border-radius: 2px; padding: 0 3px; }")
            .arg(chartBackground(215).name(QColor::HexArgb), chartInk(0.15).name(), chartInk(0.8).name()));
    QFont keyFont = QApplication::font(); // follows presentation mode
    keyFont.setPointSizeF(std::max(7.0, keyFont.pointSizeF() - 1.5));
    m_keyLabel->setFont(keyFont);
}

void CurveChart::setSmoothingEnabled(bool on) {
    if (m_smoothingEnabled == on) return;
    m_smoothingEnabled = on;
    resmooth();
}

void CurveChart::setLogY(bool on) {
    if (m_logButton->isChecked() != on) m_logButton->setChecked(on); // re-enters through toggled
    if (m_logY == on) return;
    m_logY = on;
    ChartSettings::setLogY(m_key, on);
    updateAxisScale();
    m_autoFit = true;
    m_dirty = true;
    refresh();
}

void CurveChart::resetView() {
    m_autoFit = true;
    m_dirty = true;
    refresh();
}

void CurveChart::changeEvent(QEvent* event) {
    QWidget::changeEvent(event);
    if (!isAppearanceChange(event)) return; // axes, text and legend are drawn from the font and palette
    styleChartAxes(*m_plot);
    styleKey();
    m_placeholder->setColor(chartInk(0.45));
    m_cursor->setPen(QPen(palette().color(QPalette::WindowText), lineScale(), Qt::DotLine));
    for (auto& s : m_series) applyStyle(*s);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void CurveChart::applyStyle(Series& s) {
    const bool smoothed =
        s.style.smoothable && m_smoothingEnabled && m_settings && m_settings->smoothing() > 0;
    const bool emphasized = m_emphasized != 0 && s.style.group == m_emphasized;
    const double width = (s.style.width + (emphasized ? 0.8 : 0.0)) * lineScale();
    QPen main(s.style.color, width, s.style.pen);
    if (smoothed) {
        QColor faint = s.style.color;
        faint.setAlpha(55);
        s.raw->setPen(QPen(faint, 1.0, s.style.pen));
        s.smooth->setPen(main);
    } else {
        s.raw->setPen(main);
    }
    if (s.style.points) {
        // Hollow, white-filled circles read on top of a dense curve of the same colour.
        s.raw->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle,
                                               QPen(s.style.color.darker(130), 1.6), QBrush(Qt::white), 6.5));
    } else {
        // A lone point draws no line, so it gets a dot until its series has a second point.
        s.raw->setScatterStyle(s.x.size() < 2 ? QCPScatterStyle(QCPScatterStyle::ssDisc, 5.0)
                                              : QCPScatterStyle(QCPScatterStyle::ssNone));
    }
    s.raw->setVisible(s.visible);
    s.smooth->setVisible(s.visible && smoothed);
    // The emphasised run sits on a layer above the others so overlapping runs do not hide it.
    const QString layer = s.style.points ? QStringLiteral("points")
                          : emphasized   ? QStringLiteral("emphasis")
                                         : QStringLiteral("main");
    s.raw->setLayer(layer);
    s.smooth->setLayer(layer);
}

} // namespace attnscope::gui
