#pragma once
// Paints a row of the Runs list in two lines: the run's name (after its visibility check box) and, below
// it, its mechanism badges ("ALiBi", "LS w=32 g=1", "σReparam") as small rounded pills.
#include <QStyledItemDelegate>

namespace attnscope::gui {

class RunNameDelegate : public QStyledItemDelegate {
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter* painter, const QStyleOptionViewItem& option,
               const QModelIndex& index) const override;
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;
};

} // namespace attnscope::gui
