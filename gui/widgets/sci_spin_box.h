#pragma once
// A double spin box that reads and writes "3e-4" style numbers, for learning rates, epsilons and
// coefficients that span many orders of magnitude; QDoubleSpinBox's fixed decimals would round them to 0.
#include <QDoubleSpinBox>

namespace attnscope::gui {

class SciSpinBox : public QDoubleSpinBox {
    Q_OBJECT
public:
    explicit SciSpinBox(QWidget* parent = nullptr);

    QString textFromValue(double value) const override;
    double valueFromText(const QString& text) const override;
    QValidator::State validate(QString& text, int& pos) const override;
    // Arrow keys walk 1e-4, 3e-4, 1e-3, … instead of adding a constant.
    void stepBy(int steps) override;
};

} // namespace attnscope::gui
