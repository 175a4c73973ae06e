#include "gui/session/sample_runs.h"

#include "core/store/run_reader.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QStandardPaths>

namespace attnscope::gui {

namespace {

// The source folder of the build tree this program was built in, or empty for an installed program.
QString buildTreeSources() {
    QFile marker(QCoreApplication::applicationDirPath() + QStringLiteral("/attnscope-source-dir"));
    if (!marker.open(QIODevice::ReadOnly)) return {};
    return QString::fromUtf8(marker.readAll()).trimmed();
}

} // namespace

QStringList sampleRunFolders() {
    QStringList candidates;
    if (const QString sources = buildTreeSources(); !sources.isEmpty())
        candidates << sources + QStringLiteral("/sample_runs");
    candidates << QCoreApplication::applicationDirPath() + QStringLiteral("/../share/attnscope/sample_runs");
    candidates << QStandardPaths::locateAll(QStandardPaths::GenericDataLocation,
                                            QStringLiteral("attnscope/sample_runs"),
                                            QStandardPaths::LocateDirectory);
    QStringList folders;
    for (const QString& candidate : candidates) {
        const QString folder = QDir::cleanPath(candidate);
        if (QDir(folder).exists() && !folders.contains(folder)) folders << folder;
    }
    return folders;
}

QStringList sampleRunFiles() {
    for (const QString& folder : sampleRunFolders()) {
        const QDir dir(folder);
        const QStringList names = dir.entryList(
            {QStringLiteral("*") + QString::fromLatin1(kRunFileExtension)}, QDir::Files, QDir::Name);
        if (names.isEmpty()) continue;
        QStringList paths;
        for (const QString& name : names) paths << dir.absoluteFilePath(name);
        return paths;
    }
    return {};
}

} // namespace attnscope::gui
