#include "gui/app/badge_delegate.h"

#include "gui/app/run_list_model.h"

#include <QApplication>
#include <QPainter>
#include <QPainterPath>

namespace attnscope::gui {

namespace {
constexpr int kPadX = 5, kGap = 4, kPadY = 3;

QColor badgeColor(const QString& badge) {
    // One tint per paper so the same mechanism looks the same in every row.
    if (badge.startsWith("LS")) return QColor(0xDD, 0xEB, 0xF7);
    if (badge.startsWith("ALiBi")) return QColor(0xE5, 0xF5, 0xE0);
    if (badge.startsWith("ResFormer") || badge.startsWith("SVFormer")) return QColor(0xFD, 0xE9, 0xD9);
    if (badge.startsWith(QStringLiteral("σ"))) return QColor(0xEF, 0xE3, 0xF5);
    return QColor(0xEE, 0xEE, 0xEE);
}
} // namespace

void BadgeDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option,
                          const QModelIndex& index) const {
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    opt.text.clear();
    QApplication::style()->drawControl(QStyle::CE_ItemViewItem, &opt, painter, opt.widget);

    const QStringList badges = index.data(RunListModel::BadgesRole).toStringList();
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    QFont font = option.font;
    font.setPointSizeF(std::max(7.0, font.pointSizeF() - 1));
    painter->setFont(font);
    const QFontMetrics fm(font);
    int x = option.rect.left() + 3;
    const int h = fm.height() + 2;
    const int y = option.rect.center().y() - h / 2;
    for (const QString& b : badges) {
        const int w = fm.horizontalAdvance(b) + 2 * kPadX;
        if (x + w > option.rect.right()) break;
        QPainterPath pill;
        pill.addRoundedRect(QRectF(x, y, w, h), h / 2.0, h / 2.0);
        painter->fillPath(pill, badgeColor(b));
        painter->setPen(QColor(0x33, 0x33, 0x33));
        painter->drawText(QRect(x, y, w, h), Qt::AlignCenter, b);
        x += w + kGap;
    }
    painter->restore();
}

QSize BadgeDelegate::sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const {
    QFont font = option.font;
    font.setPointSizeF(std::max(7.0, font.pointSizeF() - 1));
    const QFontMetrics fm(font);
    int w = 6;
    for (const QString& b : index.data(RunListModel::BadgesRole).toStringList())
        w += fm.horizontalAdvance(b) + 2 * kPadX + kGap;
    return {w, fm.height() + 2 * kPadY + 2};
}

} // namespace attnscope::gui
