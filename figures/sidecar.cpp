// Side-car data files: the plotted numbers for replotting in matplotlib/pandas,
// written by the same CSV and .npy writers as `attnscope-cli export-data` (core/store).
#include "figures/figure_export.h"

#include "core/store/csv_writer.h"
#include "core/store/npy_writer.h"
#include "core/util/error.h"

#include <QFile>
#include <cmath>

namespace attnscope::figures {

namespace {

std::string localPath(const QString& path) {
    return QFile::encodeName(path).toStdString();
}

std::string number(double v, int digits) {
    return QString::number(v, 'g', digits).toStdString();
}

} // namespace

bool writeCurveCsv(const CurveData& data, const QString& path, QString* error) {
    try {
        std::vector<std::string> columns{"step"};
        for (const CurveLine& line : data.lines) columns.push_back(line.name.toStdString());
        CsvWriter csv(localPath(path), columns);
        for (std::size_t i = 0; i < data.x.size(); ++i) {
            std::vector<std::string> row{number(data.x[i], 17)};
            // Empty cell for "not recorded": pandas reads it as NaN.
            for (const CurveLine& line : data.lines)
                row.push_back(i < line.y.size() && std::isfinite(line.y[i]) ? number(line.y[i], 9)
                                                                            : std::string());
            csv.row(row);
        }
        csv.close();
        return true;
    } catch (const Error& e) {
        if (error) *error = QString::fromStdString(e.what());
        return false;
    }
}

bool writeMapNpy(const MapData& data, const QString& path, QString* error) {
    try {
        const std::vector<std::int64_t> shape =
            data.layers * data.heads > 1
                ? std::vector<std::int64_t>{data.layers, data.heads, data.length, data.length}
                : std::vector<std::int64_t>{data.length, data.length};
        NpyWriter npy(localPath(path), "<f4", shape);
        npy.append(data.values.data(), data.values.size());
        npy.close();
        return true;
    } catch (const Error& e) {
        if (error) *error = QString::fromStdString(e.what());
        return false;
    }
}

} // namespace attnscope::figures
