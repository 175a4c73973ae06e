#pragma once
// Small builders for the New-run forms: spin boxes with ranges, enum combos keyed by the enum's int value.
// Every field gets the objectName of its JSON key ("model.layers"), so tests and scripts can find it.
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QSpinBox>
#include <QString>
#include <initializer_list>
#include <utility>

namespace attnscope::gui {

class SciSpinBox;

QSpinBox* intField(QWidget* parent, const QString& key, int min, int max, int step = 1);
QDoubleSpinBox* fractionField(QWidget* parent, const QString& key, double min, double max, double step);
SciSpinBox* sciField(QWidget* parent, const QString& key, double min, double max);
QCheckBox* boolField(QWidget* parent, const QString& key, const QString& text);
QComboBox* enumField(QWidget* parent, const QString& key,
                     std::initializer_list<std::pair<QString, int>> items);
// The mouse wheel scrolls the form instead of editing `field` unless the field has keyboard focus: rolling
// the wheel over a long form must not change a value under the pointer. The field builders above do this.
void guardWheel(QWidget* field);
// Selects the item whose data is `value` (no change when absent).
void setEnum(QComboBox* box, int value);
int enumValue(const QComboBox* box);

} // namespace attnscope::gui
