#include "gui/inspect/saved_notice.h"

#include <QDesktopServices>
#include <QDir>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QTimer>
#include <QToolButton>
#include <QUrl>

namespace attnscope::gui {

SavedNotice::SavedNotice(QWidget* parent)
    : QWidget(parent), m_label(new QLabel(this)), m_open(new QToolButton(this)), m_timer(new QTimer(this)) {
    setObjectName(QStringLiteral("savedNotice"));
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_label->setTextInteractionFlags(Qt::TextSelectableByMouse); // the path can be copied
    m_open->setText(tr("Open folder"));
    m_open->setObjectName(QStringLiteral("openFolder"));
    m_open->setAutoRaise(true);
    layout->addWidget(m_label);
    layout->addWidget(m_open);
    m_timer->setSingleShot(true);
    m_timer->setInterval(20000);
    connect(m_timer, &QTimer::timeout, this, &QWidget::hide);
    connect(m_open, &QToolButton::clicked, this,
            [this] { QDesktopServices::openUrl(QUrl::fromLocalFile(m_folder)); });
    hide();
}

void SavedNotice::show(const QStringList& files) {
    if (files.isEmpty()) return;
    const QFileInfo first(files.first());
    m_folder = first.absolutePath();
    QStringList names;
    for (const QString& f : files) names << QFileInfo(f).fileName();
    m_label->setText(
        tr("Saved to %1").arg(QDir::toNativeSeparators(first.absoluteFilePath())) +
        (files.size() > 1 ? tr(" (+ %1)").arg(names.mid(1).join(QStringLiteral(", "))) : QString()));
    m_label->setToolTip(QDir::toNativeSeparators(m_folder));
    QWidget::show();
    m_timer->start();
}

QString SavedNotice::text() const {
    return m_label->text();
}

} // namespace attnscope::gui
