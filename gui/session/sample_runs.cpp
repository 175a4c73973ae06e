#include "gui/session/sample_runs.h"

#include "core/store/run_reader.h"

#include <QCoreApplication>
#include <QDir>

namespace attnscope::gui {

QStringList sampleRunFolders() {
    return {QDir::cleanPath(QCoreApplication::applicationDirPath() +
                            QStringLiteral("/../share/attnscope/sample_runs")),
            QStringLiteral(ATTNSCOPE_SOURCE_DIR "/sample_runs")};
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
