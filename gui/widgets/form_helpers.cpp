#include "gui/widgets/form_helpers.h"

#include "gui/widgets/sci_spin_box.h"

#include <QAbstractScrollArea>
#include <QCoreApplication>
#include <QEvent>

namespace attnscope::gui {

namespace {
// Hands wheel events of unfocused fields to the scroll area around them (if any), which scrolls.
class WheelGuard : public QObject {
public:
    using QObject::QObject;
    bool eventFilter(QObject* watched, QEvent* event) override {
        auto* field = qobject_cast<QWidget*>(watched);
        if (event->type() != QEvent::Wheel || !field || field->hasFocus()) return false;
        for (QWidget* w = field->parentWidget(); w; w = w->parentWidget())
            if (auto* area = qobject_cast<QAbstractScrollArea*>(w)) {
                QCoreApplication::sendEvent(area->viewport(), event);
                break;
            }
        return true;
    }
};
} // namespace

void guardWheel(QWidget* field) {
    static WheelGuard* guard = new WheelGuard(QCoreApplication::instance());
    field->setFocusPolicy(Qt::StrongFocus); // a click or Tab focuses it; the wheel alone does not
    field->installEventFilter(guard);
}

QSpinBox* intField(QWidget* parent, const QString& key, int min, int max, int step) {
    auto* box = new QSpinBox(parent);
    guardWheel(box);
    box->setObjectName(key);
    box->setRange(min, max);
    box->setSingleStep(step);
    box->setKeyboardTracking(false);
    return box;
}

QDoubleSpinBox* fractionField(QWidget* parent, const QString& key, double min, double max, double step) {
    auto* box = new QDoubleSpinBox(parent);
    guardWheel(box);
    box->setObjectName(key);
    box->setDecimals(3);
    box->setRange(min, max);
    box->setSingleStep(step);
    box->setKeyboardTracking(false);
    return box;
}

SciSpinBox* sciField(QWidget* parent, const QString& key, double min, double max) {
    auto* box = new SciSpinBox(parent);
    guardWheel(box);
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
    guardWheel(box);
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
