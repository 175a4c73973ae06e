#include "gui/views/chart_controls.h"

#include "gui/views/chart_settings.h"
#include "gui/widgets/secondary_text.h"

#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QSlider>
#include <QToolBar>
#include <cmath>

namespace attnscope::gui {

ChartControls::ChartControls(ChartSettings& settings, QWidget* parent)
    : QWidget(parent), m_settings(settings) {
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(6, 0, 6, 0);
    m_slider = new QSlider(Qt::Horizontal, this);
    m_slider->setObjectName("smoothingSlider");
    m_slider->setRange(0, 99);     // the slider stops at 0.99; the box reaches 0.999
    m_slider->setMinimumWidth(48); // gives way first when the window is narrow (1280 px with both docks)
    m_slider->setMaximumWidth(120);
    m_value = new QDoubleSpinBox(this);
    m_value->setObjectName("smoothingValue");
    m_value->setDecimals(3);
    m_value->setRange(0, ChartSettings::kMaxSmoothing);
    m_value->setSingleStep(0.05);
    m_outliers = new QCheckBox(tr("Ignore outliers"), this);
    m_outliers->setToolTip(tr("Ignore outliers in chart scaling: the y range fits the bulk of the data"));
    m_outliers->setObjectName("ignoreOutliers");
    m_legend = new QCheckBox(tr("Legend"), this);
    m_xFit = new QCheckBox(tr("Fit selected run"), this);
    m_xFit->setObjectName(QStringLiteral("xFitsSelectedRun"));
    m_xFit->setToolTip(
        tr("Step axes span the selected run (a training run: its planned steps) instead of the "
           "longest visible run"));
    m_legend->setObjectName("runLegend");
    m_legend->setToolTip(tr("Show which colour is which run above every chart"));
    auto* hint = new QLabel(tr("drag: zoom · double-click: reset · right-click: log y, save"), this);
    makeSecondaryText(hint);
    hint->setToolTip(tr("Drag a rectangle to zoom, wheel zooms steps, double-click resets, right-click for "
                        "log scale and image export. Hover a chart to read every run at that step."));
    // A tool bar: what does not fit a narrow window (1280 px in presentation mode) goes behind its » button
    // instead of widening the window past the screen.
    auto* bar = new QToolBar(this);
    bar->setObjectName(QStringLiteral("chartControlsBar"));
    bar->setMovable(false);
    bar->setFloatable(false);
    bar->addWidget(new QLabel(tr("Smoothing"), this));
    bar->addWidget(m_slider);
    bar->addWidget(m_value);
    bar->addSeparator();
    bar->addWidget(m_outliers);
    bar->addWidget(m_legend);
    bar->addWidget(m_xFit);
    bar->addWidget(hint);
    layout->addWidget(bar, 1);

    auto sync = [this] {
        const QSignalBlocker a(m_slider), b(m_value), c(m_outliers), d(m_legend);
        m_legend->setChecked(m_settings.showRunLegend());
        m_slider->setValue(int(std::lround(std::min(m_settings.smoothing(), 0.99) * 100)));
        m_value->setValue(m_settings.smoothing());
        m_outliers->setChecked(m_settings.ignoreOutliers());
    };
    sync();
    connect(m_slider, &QSlider::valueChanged, this, [this](int v) { m_settings.setSmoothing(v / 100.0); });
    connect(m_value, &QDoubleSpinBox::valueChanged, this, [this](double v) { m_settings.setSmoothing(v); });
    connect(m_outliers, &QCheckBox::toggled, &m_settings, &ChartSettings::setIgnoreOutliers);
    m_xFit->setChecked(m_settings.xFitsSelectedRun());
    connect(m_xFit, &QCheckBox::toggled, &m_settings, &ChartSettings::setXFitsSelectedRun);
    connect(&m_settings, &ChartSettings::smoothingChanged, this, sync);
    connect(&m_settings, &ChartSettings::ignoreOutliersChanged, this, sync);
    connect(m_legend, &QCheckBox::toggled, &m_settings, &ChartSettings::setShowRunLegend);
    connect(&m_settings, &ChartSettings::showRunLegendChanged, this, sync);
}

} // namespace attnscope::gui
