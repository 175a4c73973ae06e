#pragma once
// Chart preferences shared by every curve view (one smoothing slider for the whole app, as in TensorBoard)
// and remembered across sessions in QSettings, like TensorBoard keeps them in local storage.
#include <QObject>
#include <QString>

namespace attnscope::gui {

class ChartSettings : public QObject {
    Q_OBJECT
public:
    static constexpr double kMaxSmoothing = 0.999; // 1 would flatten every line

    explicit ChartSettings(QObject* parent = nullptr); // loads from QSettings

    double smoothing() const { return m_smoothing; }
    bool ignoreOutliers() const { return m_ignoreOutliers; }
    void setSmoothing(double weight);
    void setIgnoreOutliers(bool on);
    // The run legend above every curve chart (which colour is which run); on by default.
    bool showRunLegend() const { return m_showRunLegend; }
    void setShowRunLegend(bool on);

    // Per-chart log-y toggle, remembered under the chart's key (TensorBoard #5610).
    static bool logY(const QString& chartKey, bool fallback);
    static void setLogY(const QString& chartKey, bool on);

signals:
    void smoothingChanged(double weight);
    void ignoreOutliersChanged(bool on);
    void showRunLegendChanged(bool on);

private:
    double m_smoothing = 0.6; // TensorBoard's default
    bool m_ignoreOutliers = true;
    bool m_showRunLegend = true;
};

} // namespace attnscope::gui
