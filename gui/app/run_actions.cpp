#include "gui/app/run_actions.h"

#include "core/run/run_driver.h"
#include "gui/app/fork_dialog.h"
#include "gui/session/live_follower.h"
#include "gui/session/run_loader.h"
#include "gui/session/run_registry.h"
#include "gui/session/session_manager.h"
#include "gui/session/training_session.h"

#include <QDesktopServices>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QInputDialog>
#include <QMenu>
#include <QMessageBox>
#include <QSettings>
#include <QUrl>
#include <climits>

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
    askExtension = [this](const QString& name, int steps) {
        bool ok = false;
        const int total =
            QInputDialog::getInt(m_parent, tr("Continue training"),
                                 tr("“%1” has all its %2 steps. Train on to step:").arg(name).arg(steps),
                                 steps * 2, steps + 1, INT_MAX, 1, &ok);
        return ok ? total : 0;
    };
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
    const TrainingSession* session = m_sessions.session(runId);
    const bool active = session && !session->hasFinished();
    QAction* cont = menu->addAction(tr("C&ontinue training"), this, [this, runId] { continueRun(runId); });
    cont->setEnabled(hasFile && !active && !run->checkpointSteps.empty());
    cont->setToolTip(tr("From the latest checkpoint, in the same file (as attnscope-cli resume)"));
    QAction* forkAction = menu->addAction(tr("&Fork from checkpoint…"), this, [this, runId] { fork(runId); });
    forkAction->setEnabled(hasFile && !run->checkpointSteps.empty());
    menu->setToolTipsVisible(true);
    menu->addSeparator();
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

int RunActions::continueRun(int runId) {
    const RunData* run = m_registry.find(runId);
    if (!run || run->filePath.isEmpty()) return 0;
    if (const TrainingSession* s = m_sessions.session(runId); s && !s->hasFinished()) {
        emit message(tr("“%1” is still training.").arg(run->name));
        return 0;
    }
    // The open entry goes first: a run trained in this app still holds its file's writer lock until its
    // session is closed. What the file holds after the driver took it (up to the checkpoint; later records
    // are redone) comes back with the same colour, name, tags and visibility.
    RunData look;
    look.name = run->name;
    look.color = run->color;
    look.visible = run->visible;
    look.tags = run->tags;
    look.pinnedStep = run->pinnedStep;
    const int totalSteps = run->totalSteps();
    const QString path = run->filePath;
    m_sessions.close(runId);
    const auto reopen = [&]() -> RunData {
        RunData data;
        try {
            data = loadRunFile(path);
        } catch (const std::exception&) {
            data.filePath = path;
        }
        data.name = look.name;
        data.color = look.color;
        data.visible = look.visible;
        data.tags = look.tags;
        data.pinnedStep = look.pinnedStep;
        return data;
    };
    std::unique_ptr<RunDriver> driver;
    try {
        try {
            driver = RunDriver::continueRun(path.toStdString());
        } catch (const RunComplete&) {
            const int steps = askExtension(look.name, totalSteps);
            RunDriver::ContinueOptions extend;
            extend.steps = steps;
            if (steps > totalSteps) driver = RunDriver::continueRun(path.toStdString(), extend);
        }
    } catch (const std::exception& e) {
        emit message(tr("Cannot continue “%1”: %2").arg(look.name, QString::fromStdString(e.what())));
    }
    if (!driver) {
        m_registry.add(reopen()); // nothing changed: the run is back as it was
        return 0;
    }
    const int id = m_sessions.startDriver(std::move(driver), look.name, reopen());
    for (const std::string& notice : m_sessions.session(id)->driver().notices())
        emit message(QString::fromStdString(notice));
    return id;
}

int RunActions::fork(int runId) {
    const RunData* run = m_registry.find(runId);
    if (!run || run->filePath.isEmpty() || run->checkpointSteps.empty()) return 0;
    ForkDialog dialog(run->name, run->spec, run->checkpointSteps, m_parent);
    if (dialog.exec() != QDialog::Accepted) return 0;
    return fork(runId, dialog.fromStep(), [&dialog](RunSpec& spec) { dialog.apply(spec); });
}

int RunActions::fork(int runId, int fromStep, const std::function<void(RunSpec&)>& change) {
    const RunData* run = m_registry.find(runId);
    if (!run || run->filePath.isEmpty()) return 0;
    RunSpec child = run->spec;
    change(child);
    QString error;
    const QString childPath = m_sessions.newRunPath(QString::fromStdString(child.name), &error);
    std::unique_ptr<RunDriver> driver;
    try {
        if (childPath.isEmpty()) throw std::runtime_error(error.toStdString());
        RunDriver::ForkOptions options;
        options.fromStep = fromStep;
        options.childPath = childPath.toStdString();
        driver = RunDriver::fork(run->filePath.toStdString(), options, change);
    } catch (const std::exception& e) {
        emit message(tr("Cannot fork “%1”: %2").arg(run->name, QString::fromStdString(e.what())));
        return 0;
    }
    RunData history; // the starting checkpoint and its probe snapshot
    try {
        history = loadRunFile(childPath);
    } catch (const std::exception&) {
        history = RunData{};
    }
    return m_sessions.startDriver(std::move(driver), QString::fromStdString(child.name), std::move(history));
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
