#include "gui/views/chart_settings.h"

#include <QSettings>
#include <algorithm>

namespace attnscope::gui {

ChartSettings::ChartSettings(QObject* parent) : QObject(parent) {
    QSettings s;
    m_smoothing = std::clamp(s.value("charts/smoothing", m_smoothing).toDouble(), 0.0, kMaxSmoothing);
    m_ignoreOutliers = s.value("charts/ignoreOutliers", m_ignoreOutliers).toBool();
    m_showRunLegend = s.value("charts/runLegend", m_showRunLegend).toBool();
    m_xFitsSelectedRun = s.value("charts/xFitsSelectedRun", m_xFitsSelectedRun).toBool();
}

void ChartSettings::setXFitsSelectedRun(bool on) {
    if (on == m_xFitsSelectedRun) return;
    m_xFitsSelectedRun = on;
    QSettings().setValue("charts/xFitsSelectedRun", on);
    emit xFitsSelectedRunChanged(on);
}

void ChartSettings::setShowRunLegend(bool on) {
    if (on == m_showRunLegend) return;
    m_showRunLegend = on;
    QSettings().setValue("charts/runLegend", on);
    emit showRunLegendChanged(on);
}

void ChartSettings::setSmoothing(double weight) {
    weight = std::clamp(weight, 0.0, kMaxSmoothing);
    if (qFuzzyCompare(1 + weight, 1 + m_smoothing)) return;
    m_smoothing = weight;
    QSettings().setValue("charts/smoothing", weight);
    emit smoothingChanged(weight);
}

void ChartSettings::setIgnoreOutliers(bool on) {
    if (on == m_ignoreOutliers) return;
    m_ignoreOutliers = on;
    QSettings().setValue("charts/ignoreOutliers", on);
    emit ignoreOutliersChanged(on);
}

bool ChartSettings::logY(const QString& chartKey, bool fallback) {
    return QSettings().value("charts/" + chartKey + "/logY", fallback).toBool();
}

void ChartSettings::setLogY(const QString& chartKey, bool on) {
    QSettings().setValue("charts/" + chartKey + "/logY", on);
}

} // namespace attnscope::gui
