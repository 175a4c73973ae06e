#include "gui/widgets/themed_icon.h"

#include <QApplication>
#include <QIconEngine>
#include <QPainter>
#include <QPalette>

namespace attnscope::gui {

namespace {

// Keeps the shape (alpha) of the style's pixmap and fills it with the palette colour of the icon's mode.
class ThemedIconEngine : public QIconEngine {
public:
    explicit ThemedIconEngine(QStyle::StandardPixmap icon) : m_icon(icon) {}

    QPixmap pixmap(const QSize& size, QIcon::Mode mode, QIcon::State state) override {
        QPixmap shape = QApplication::style()->standardIcon(m_icon).pixmap(size, QIcon::Normal, state);
        if (shape.isNull()) return shape;
        const QPalette::ColorGroup group = mode == QIcon::Disabled ? QPalette::Disabled : QPalette::Active;
        QPainter p(&shape);
        p.setCompositionMode(QPainter::CompositionMode_SourceIn);
        p.fillRect(shape.rect(), QApplication::palette().color(group, QPalette::ButtonText));
        return shape;
    }

    void paint(QPainter* painter, const QRect& rect, QIcon::Mode mode, QIcon::State state) override {
        const qreal dpr = painter->device() ? painter->device()->devicePixelRatioF() : 1.0;
        QPixmap pm = pixmap(rect.size() * dpr, mode, state);
        pm.setDevicePixelRatio(dpr);
        painter->drawPixmap(rect, pm);
    }

    QSize actualSize(const QSize& size, QIcon::Mode mode, QIcon::State state) override {
        return QApplication::style()->standardIcon(m_icon).actualSize(size, mode, state);
    }

    QIconEngine* clone() const override { return new ThemedIconEngine(m_icon); }

private:
    QStyle::StandardPixmap m_icon;
};

} // namespace

QIcon themedStandardIcon(QStyle::StandardPixmap icon) {
    return QIcon(new ThemedIconEngine(icon));
}

} // namespace attnscope::gui
