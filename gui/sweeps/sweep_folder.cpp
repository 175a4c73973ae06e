#include "gui/sweeps/sweep_folder.h"

#include "core/sweep/cells_csv_reader.h"
#include "core/sweep/sweep_runner.h"
#include "core/util/error.h"

#include <QDir>
#include <QFileInfo>
#include <filesystem>

namespace attnscope::gui {

namespace fs = std::filesystem;

int SweepData::done() const {
    int n = 0;
    for (const CellResult& c : summary.cells) n += c.complete;
    return n;
}

bool SweepData::hasRunFiles() const {
    for (CellSource s : sources)
        if (s == CellSource::RunFile) return true;
    return false;
}

bool isSweepFolder(const QString& folder) {
    return QFileInfo(QDir(folder).filePath(QStringLiteral("sweep.json"))).isFile();
}

std::shared_ptr<SweepData> readSweepFolder(const QString& folder, CellCache* cache, bool* changed) {
    auto data = std::make_shared<SweepData>();
    data->folder = QDir(folder).absolutePath();
    const std::string dir = data->folder.toStdString();
    data->spec = readSweepManifest(dir);
    data->cells = expandGrid(data->spec);
    std::map<std::string, CellResult> csv;
    const fs::path csvPath = fs::path(dir) / "summary_cells.csv";
    if (fs::exists(csvPath)) {
        try {
            csv = readCellsCsv(csvPath.string());
        } catch (const Error& e) {
            data->problems.push_back(e.what());
        }
    }
    bool anyChange = false;
    std::vector<CellResult> results;
    for (const SweepCell& cell : data->cells) {
        const fs::path path = fs::path(dir) / (cell.id + ".attnrun");
        data->runPaths.push_back(QString::fromStdString(path.string()));
        std::error_code ec;
        const auto size = fs::file_size(path, ec);
        if (!ec) {
            const std::int64_t mtime = fs::last_write_time(path, ec).time_since_epoch().count();
            CellCacheEntry* hit = nullptr;
            if (cache) {
                auto it = cache->find(path.string());
                if (it != cache->end() && it->second.size == std::int64_t(size) &&
                    it->second.mtimeNs == mtime)
                    hit = &it->second;
            }
            CellResult r;
            if (hit) {
                r = hit->result;
            } else {
                anyChange = true;
                try {
                    r = readCellResult(path.string());
                } catch (const std::exception& e) {
                    // A file being created has no tables yet: shown as unreadable, read again next poll.
                    r.status = "unreadable";
                    data->problems.push_back(e.what());
                }
                if (cache) (*cache)[path.string()] = {std::int64_t(size), mtime, r};
            }
            data->sources.push_back(CellSource::RunFile);
            results.push_back(r);
        } else if (const auto it = csv.find(cell.id); it != csv.end()) {
            data->sources.push_back(CellSource::SummaryCsv);
            results.push_back(it->second);
        } else {
            data->sources.push_back(CellSource::Missing);
            CellResult r;
            r.status = "missing";
            r.steps = cell.spec.train.steps;
            results.push_back(r);
        }
    }
    // A cell file left "training" while no process holds the folder was interrupted (Ctrl-C, kill, crash):
    // say so, since nothing is training it now. Resume continues it from its last checkpoint.
    if (sweepLockHolder(data->folder).isEmpty())
        for (CellResult& r : results)
            if (r.status == "training") r.status = "interrupted";
    data->summary = summarize(data->spec, data->cells, std::move(results));
    if (changed) *changed = anyChange;
    return data;
}

QString sweepLockHolder(const QString& folder) {
    return QString::fromStdString(attnscope::sweepLockHolder(folder.toStdString()));
}

} // namespace attnscope::gui
