#include "helpers/gui/new_run_form.h"

#include "gui/app/new_run_panel.h"

#include <QLineEdit>
#include <QSpinBox>

namespace attnscope::test {

bool selectData(QComboBox* box, const QVariant& data) {
    const int i = box->findData(data);
    if (i < 0) return false;
    box->setCurrentIndex(i);
    return true;
}

void setTinyRun(NewRunPanel* p, int steps, const QString& name, int checkpointEvery) {
    field<QLineEdit>(p, "name")->setText(name);
    field<QSpinBox>(p, "model.layers")->setValue(2);
    field<QSpinBox>(p, "model.heads")->setValue(2);
    field<QSpinBox>(p, "model.dModel")->setValue(32);
    field<QSpinBox>(p, "model.context")->setValue(16);
    selectData(field<QComboBox>(p, "data.source"), QStringLiteral("task"));
    field<QComboBox>(p, "data.task")->setCurrentText(QStringLiteral("copy"));
    field<QSpinBox>(p, "train.batch")->setValue(4);
    field<QSpinBox>(p, "train.steps")->setValue(steps);
    field<QSpinBox>(p, "train.warmup")->setValue(2);
    field<QSpinBox>(p, "train.recordEvery")->setValue(5);
    field<QSpinBox>(p, "train.evalEvery")->setValue(10);
    field<QSpinBox>(p, "train.checkpointEvery")->setValue(checkpointEvery);
}

} // namespace attnscope::test
