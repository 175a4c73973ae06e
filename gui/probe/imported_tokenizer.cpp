#include "gui/probe/imported_tokenizer.h"

#include "core/hf/hf_import.h"
#include "gui/session/run_data.h"

#include <QDir>
#include <exception>

namespace attnscope::gui {

bool isImportedModelRun(const RunData& run) {
    return run.external && !run.external->model.checkpointFolders.empty();
}

const hf::BpeTokenizer* ImportedTokenizer::forRun(const RunData& run, QString* why) {
    if (run.id != m_run) {
        m_run = run.id;
        m_tokenizer.reset();
        m_error = QStringLiteral("“%1” was not imported from a model folder.").arg(run.name);
        if (isImportedModelRun(run)) {
            m_error =
                QStringLiteral("None of the model folders of “%1” holds a tokenizer.json, so a text "
                               "cannot be encoded for it (attnscope-cli import --probe-ids takes token ids).")
                    .arg(run.name);
            for (const auto& folder : run.external->model.checkpointFolders) {
                try {
                    if ((m_tokenizer = hf::folderTokenizer(folder.path))) break;
                } catch (const std::exception& e) {
                    m_error = QStringLiteral("The tokenizer of %1 cannot be read: %2")
                                  .arg(QDir::toNativeSeparators(QString::fromStdString(folder.path)),
                                       QString::fromStdString(e.what()));
                    break;
                }
            }
        }
    }
    if (!m_tokenizer && why) *why = m_error;
    return m_tokenizer ? &*m_tokenizer : nullptr;
}

} // namespace attnscope::gui
