#pragma once
// Paints a run's mechanism badges ("ALiBi", "LS w=32 g=1", "σReparam") as small rounded pills.
#include <QStyledItemDelegate>

namespace attnscope::gui {

class BadgeDelegate : public QStyledItemDelegate {
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter* painter, const QStyleOptionViewItem& option,
               const QModelIndex& index) const override;
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;
};

} // namespace attnscope::gui
