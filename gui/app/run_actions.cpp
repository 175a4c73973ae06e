#include "gui/app/run_actions.h"

#include "gui/inspect/live_follower.h"
#include "gui/session/run_registry.h"
#include "gui/session/session_manager.h"

#include <QDesktopServices>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QInputDialog>
#include <QMenu>
#include <QMessageBox>
#include <QSettings>
#include <QUrl>

namespace attnscope::gui {

namespace {
QString labelKey(const QString& path) {
    // QSettings keys treat '/' as groups: hex keeps one flat key per file.
    return QStringLiteral("runLabels/") +
           QString::fromLatin1(QFileInfo(path).absoluteFilePath().toUtf8().toHex());
}
} // namespace

RunActions::RunActions(RunRegistry& registry, SessionManager& sessions, QWidget* dialogParent)
    : QObject(dialogParent), m_registry(registry), m_sessions(sessions), m_parent(dialogParent) {
    confirm = [this](const QString& question) {
        return QMessageBox::question(m_parent, tr("Delete run"), question,
                                     QMessageBox::Yes | QMessageBox::Cancel,
                                     QMessageBox::Cancel) == QMessageBox::Yes;
    };
}

QMenu* RunActions::menuFor(int runId, QWidget* parent) {
    const RunData* run = m_registry.find(runId);
    if (!run) return nullptr;
    auto* menu = new QMenu(parent);
    menu->setObjectName(QStringLiteral("runContextMenu"));
    const bool hasFile = !run->filePath.isEmpty();
    menu->addAction(tr("&Rename…"), this, [this, runId] { rename(runId); });
    menu->addAction(tr("&Tags…"), this, [this, runId] { editTags(runId); });
    menu->addSeparator();
    menu->addAction(tr("Reveal &file"), this, [this, runId] { reveal(runId); })->setEnabled(hasFile);
    menu->addAction(tr("&Close"), this, [this, runId] { m_sessions.close(runId); });
    menu->addAction(tr("&Delete…"), this, [this, runId] { deleteRun(runId); })->setEnabled(hasFile);
    return menu;
}

void RunActions::showMenu(int runId, const QPoint& globalPos) {
    if (QMenu* menu = menuFor(runId, m_parent)) {
        menu->setAttribute(Qt::WA_DeleteOnClose);
        menu->popup(globalPos);
    }
}

void RunActions::rename(int runId) {
    const RunData* run = m_registry.find(runId);
    if (!run) return;
    bool ok = false;
    const QString name =
        QInputDialog::getText(m_parent, tr("Rename run"), tr("Name:"), QLineEdit::Normal, run->name, &ok);
    if (!ok || name.trimmed().isEmpty()) return;
    m_registry.rename(runId, name);
    remember(runId);
}

void RunActions::editTags(int runId) {
    const RunData* run = m_registry.find(runId);
    if (!run) return;
    bool ok = false;
    const QString text = QInputDialog::getText(m_parent, tr("Tags"), tr("Tags, separated by commas:"),
                                               QLineEdit::Normal, run->tags.join(QStringLiteral(", ")), &ok);
    if (!ok) return;
    QStringList tags;
    for (const QString& t : text.split(QLatin1Char(','), Qt::SkipEmptyParts))
        if (!t.trimmed().isEmpty() && !tags.contains(t.trimmed())) tags << t.trimmed();
    m_registry.setTags(runId, tags);
    remember(runId);
}

void RunActions::reveal(int runId) {
    const RunData* run = m_registry.find(runId);
    if (!run || run->filePath.isEmpty()) return;
    const QString folder = QFileInfo(run->filePath).absolutePath();
    if (!QDesktopServices::openUrl(QUrl::fromLocalFile(folder)))
        emit message(tr("The file is %1").arg(QDir::toNativeSeparators(run->filePath)));
}

bool RunActions::deleteRun(int runId) {
    const RunData* run = m_registry.find(runId);
    if (!run || run->filePath.isEmpty()) return false;
    const QString path = run->filePath;
    const QString name = run->name;
    if (!run->live && LiveFollower::isBeingWritten(path)) {
        emit message(tr("“%1” is being written by another process; stop it there first.").arg(name));
        return false;
    }
    if (!confirm(tr("Delete the run “%1” and its file?\n\n%2\n\nThis cannot be undone.")
                     .arg(name, QDir::toNativeSeparators(path))))
        return false;
    m_sessions.close(runId); // stops a live run first: its writer lets go of the file
    QSettings().remove(labelKey(path));
    bool removed = QFile::remove(path);
    for (const char* suffix : {"-wal", "-shm", "-journal"}) QFile::remove(path + QLatin1String(suffix));
    emit message(removed ? tr("Deleted %1").arg(QDir::toNativeSeparators(path))
                         : tr("Could not delete %1").arg(QDir::toNativeSeparators(path)));
    return removed;
}

void RunActions::remember(int runId) {
    const RunData* run = m_registry.find(runId);
    if (!run || run->filePath.isEmpty()) return;
    QSettings().setValue(labelKey(run->filePath), QVariantMap{{QStringLiteral("name"), run->name},
                                                              {QStringLiteral("tags"), run->tags}});
}

QString RunActions::rememberedName(const QString& path) {
    return QSettings().value(labelKey(path)).toMap().value(QStringLiteral("name")).toString();
}

QStringList RunActions::rememberedTags(const QString& path) {
    return QSettings().value(labelKey(path)).toMap().value(QStringLiteral("tags")).toStringList();
}

void RunActions::applyRemembered(int runId) {
    const RunData* run = m_registry.find(runId);
    if (!run || run->filePath.isEmpty()) return;
    const QString name = rememberedName(run->filePath);
    if (!name.isEmpty()) m_registry.rename(runId, name);
    const QStringList tags = rememberedTags(run->filePath);
    if (!tags.isEmpty()) m_registry.setTags(runId, tags);
}

} // namespace attnscope::gui
