#pragma once
// Driving the New-run panel from tests: its fields by objectName (the JSON key, "model.layers"), combo items
// by their data, and a tiny run that trains in well under a second.
#include <QComboBox>
#include <QString>
#include <QVariant>
#include <QWidget>

namespace attnscope::gui {
class NewRunPanel;
} // namespace attnscope::gui

namespace attnscope::test {

using gui::NewRunPanel;

// The field named `name` (aborts the test program when there is none: a renamed field must fail loudly).
template <typename T> T* field(QWidget* panel, const char* name) {
    auto* w = panel->findChild<T*>(QString::fromLatin1(name));
    if (!w) qFatal("no field %s", name);
    return w;
}

// Selects the item whose data is `data`; false when there is none.
bool selectData(QComboBox* box, const QVariant& data);

// 2 layers × 2 heads, d 32, T 16 on the copy task, batch 4, a snapshot every 5 steps, validation every 10,
// a checkpoint every `checkpointEvery` steps (0: only at the end).
void setTinyRun(NewRunPanel* panel, int steps, const QString& name, int checkpointEvery = 0);

} // namespace attnscope::test
