#include "gui/app/run_name_delegate.h"

#include "gui/app/run_list_model.h"

#include <QApplication>
#include <QPainter>
#include <QPainterPath>

namespace attnscope::gui {

namespace {
constexpr int kPadX = 5, kGap = 4, kLineGap = 2;

QColor badgeColor(const QString& badge) {
    // One tint per paper so the same mechanism looks the same in every row.
    if (badge.startsWith("LS")) return QColor(0xDD, 0xEB, 0xF7);
    if (badge.startsWith("ALiBi")) return QColor(0xE5, 0xF5, 0xE0);
    if (badge.startsWith("ResFormer") || badge.startsWith("SVFormer")) return QColor(0xFD, 0xE9, 0xD9);
    if (badge.startsWith(QStringLiteral("σ"))) return QColor(0xEF, 0xE3, 0xF5);
    return QColor(0xEE, 0xEE, 0xEE);
}

QFont badgeFont(const QFont& base) {
    QFont f = base;
    f.setPointSizeF(std::max(7.0, base.pointSizeF() - 1.5));
    return f;
}

QStringList badgesOf(const QModelIndex& index) {
    return index.sibling(index.row(), RunListModel::MechanismsColumn)
        .data(RunListModel::BadgesRole)
        .toStringList();
}
} // namespace

void RunNameDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option,
                            const QModelIndex& index) const {
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    const QString name = opt.text;
    opt.text.clear();
    const QWidget* widget = opt.widget;
    QStyle* style = widget ? widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, widget); // background, selection, check box

    opt.text = name;
    const QRect textRect =
        style->subElementRect(QStyle::SE_ItemViewItemText, &opt, widget).adjusted(2, 0, 0, 0);
    const QFontMetrics nameMetrics(opt.font);
    const QFont small = badgeFont(opt.font);
    const QFontMetrics fm(small);
    const int pillHeight = fm.height() + 2;
    const int top = option.rect.center().y() - (nameMetrics.height() + kLineGap + pillHeight) / 2;

    painter->save();
    const bool selected = opt.state & QStyle::State_Selected;
    painter->setPen(
        opt.palette.color(QPalette::Normal, selected ? QPalette::HighlightedText : QPalette::Text));
    QFont bold = opt.font;
    bold.setBold(true);
    painter->setFont(bold);
    painter->drawText(QRect(textRect.left(), top, textRect.width(), nameMetrics.height()),
                      Qt::AlignLeft | Qt::AlignVCenter,
                      QFontMetrics(bold).elidedText(name, Qt::ElideRight, textRect.width()));

    painter->setRenderHint(QPainter::Antialiasing);
    painter->setFont(small);
    int x = textRect.left();
    const int y = top + nameMetrics.height() + kLineGap;
    for (const QString& b : badgesOf(index)) {
        const int w = fm.horizontalAdvance(b) + 2 * kPadX;
        if (x + w > textRect.right() + 1) break;
        QPainterPath pill;
        pill.addRoundedRect(QRectF(x, y, w, pillHeight), pillHeight / 2.0, pillHeight / 2.0);
        painter->fillPath(pill, badgeColor(b));
        painter->setPen(QColor(0x33, 0x33, 0x33));
        painter->drawText(QRect(x, y, w, pillHeight), Qt::AlignCenter, b);
        x += w + kGap;
    }
    painter->restore();
}

QSize RunNameDelegate::sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const {
    QSize size = QStyledItemDelegate::sizeHint(option, index);
    const QFontMetrics fm(badgeFont(option.font));
    size.setHeight(QFontMetrics(option.font).height() + kLineGap + fm.height() + 2 + 8);
    int badgesWidth = 0;
    for (const QString& b : badgesOf(index)) badgesWidth += fm.horizontalAdvance(b) + 2 * kPadX + kGap;
    size.setWidth(std::max(size.width(), badgesWidth + 24));
    return size;
}

} // namespace attnscope::gui
