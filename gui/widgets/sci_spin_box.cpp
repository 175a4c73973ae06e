#include "gui/widgets/sci_spin_box.h"

#include <QLocale>
#include <algorithm>
#include <cmath>

namespace attnscope::gui {

SciSpinBox::SciSpinBox(QWidget* parent) : QDoubleSpinBox(parent) {
    setDecimals(15); // keep the value exact; the text is formatted by textFromValue
    setRange(0, 1e9);
    setKeyboardTracking(false);
}

QString SciSpinBox::textFromValue(double value) const {
    return QString::number(value, 'g', 6);
}

double SciSpinBox::valueFromText(const QString& text) const {
    QString t = text.trimmed();
    t.remove(suffix());
    t.remove(prefix());
    return t.toDouble();
}

QValidator::State SciSpinBox::validate(QString& text, int&) const {
    const QString t = text.trimmed();
    if (t.isEmpty() || t == "-" || t.endsWith('e', Qt::CaseInsensitive) ||
        t.endsWith("e-", Qt::CaseInsensitive) || t.endsWith('.'))
        return QValidator::Intermediate;
    bool ok = false;
    const double v = t.toDouble(&ok);
    if (!ok) return QValidator::Invalid;
    return (v >= minimum() && v <= maximum()) ? QValidator::Acceptable : QValidator::Intermediate;
}

void SciSpinBox::stepBy(int steps) {
    // Walks the 1-3-10 ladder (…, 1e-4, 3e-4, 1e-3, …), the grid learning-rate sweeps use.
    double v = value();
    for (int i = 0; i < std::abs(steps); ++i) {
        if (v <= 0) {
            v = steps > 0 ? 1e-4 : 0.0;
            continue;
        }
        const double decade = std::pow(10.0, std::floor(std::log10(v) + 1e-9));
        const double m = v / decade;
        if (steps > 0)
            v = m < 3 - 1e-9 ? 3 * decade : 10 * decade;
        else
            v = m > 3 + 1e-9 ? 3 * decade : (m > 1 + 1e-9 ? decade : 0.3 * decade);
    }
    setValue(std::clamp(v, minimum(), maximum()));
}

} // namespace attnscope::gui
