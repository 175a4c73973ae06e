#include "gui/widgets/form_helpers.h"

#include "gui/widgets/sci_spin_box.h"

namespace attnscope::gui {

QSpinBox* intField(QWidget* parent, const QString& key, int min, int max, int step) {
    auto* box = new QSpinBox(parent);
    box->setObjectName(key);
    box->setRange(min, max);
    box->setSingleStep(step);
    box->setKeyboardTracking(false);
    return box;
}

QDoubleSpinBox* fractionField(QWidget* parent, const QString& key, double min, double max, double step) {
    auto* box = new QDoubleSpinBox(parent);
    box->setObjectName(key);
    box->setDecimals(3);
    box->setRange(min, max);
    box->setSingleStep(step);
    box->setKeyboardTracking(false);
    return box;
}

SciSpinBox* sciField(QWidget* parent, const QString& key, double min, double max) {
    auto* box = new SciSpinBox(parent);
    box->setObjectName(key);
    box->setRange(min, max);
    return box;
}

QCheckBox* boolField(QWidget* parent, const QString& key, const QString& text) {
    auto* box = new QCheckBox(text, parent);
    box->setObjectName(key);
    return box;
}

QComboBox* enumField(QWidget* parent, const QString& key,
                     std::initializer_list<std::pair<QString, int>> items) {
    auto* box = new QComboBox(parent);
    box->setObjectName(key);
    for (const auto& [text, value] : items) box->addItem(text, value);
    return box;
}

void setEnum(QComboBox* box, int value) {
    const int index = box->findData(value);
    if (index >= 0) box->setCurrentIndex(index);
}

int enumValue(const QComboBox* box) {
    return box->currentData().toInt();
}

} // namespace attnscope::gui
