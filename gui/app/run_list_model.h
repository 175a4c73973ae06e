#pragma once
// Table model of the Runs panel over RunRegistry: colour swatch, name with a visibility check box, status
// text and mechanism badges. Appearance edits (colour, visibility) go back to the registry.
#include "gui/session/registry_table_model.h"

namespace attnscope::gui {

class RunListModel : public RegistryTableModel {
    Q_OBJECT
public:
    enum Column { ColorColumn, NameColumn, StatusColumn, MechanismsColumn, ColumnCount };
    static constexpr int RunIdRole = Qt::UserRole + 1;
    static constexpr int BadgesRole = Qt::UserRole + 2; // QStringList of mechanism badges

    explicit RunListModel(RunRegistry& registry, QObject* parent = nullptr);

    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    bool setData(const QModelIndex& index, const QVariant& value, int role) override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;
};

} // namespace attnscope::gui
