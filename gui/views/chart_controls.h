#pragma once
// The bar above the curve tabs: smoothing slider with a numeric box (0–0.999, TensorBoard's range) and the
// "ignore outliers in chart scaling" and "run legend" switches. Both edit the shared ChartSettings.
#include <QWidget>

class QCheckBox;
class QDoubleSpinBox;
class QSlider;

namespace attnscope::gui {

class ChartSettings;

class ChartControls : public QWidget {
    Q_OBJECT
public:
    explicit ChartControls(ChartSettings& settings, QWidget* parent = nullptr);

private:
    ChartSettings& m_settings;
    QSlider* m_slider;
    QDoubleSpinBox* m_value;
    QCheckBox* m_outliers;
    QCheckBox* m_legend;
    QCheckBox* m_xFit;
};

} // namespace attnscope::gui
