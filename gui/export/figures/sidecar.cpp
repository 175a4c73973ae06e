// Side-car data files: the plotted numbers for replotting in matplotlib/pandas (peers.md §6 "Data export").
#include "gui/export/figures/figure_export.h"

#include <QFile>
#include <QTextStream>
#include <cmath>
#include <cstring>

namespace attnscope::figures {

bool writeCurveCsv(const CurveData& data, const QString& path, QString* error) {
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text)) {
        if (error) *error = QStringLiteral("Cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    QTextStream out(&file);
    out << "step";
    for (const CurveLine& line : data.lines) out << ',' << line.name;
    out << '\n';
    for (std::size_t i = 0; i < data.x.size(); ++i) {
        out << QString::number(data.x[i], 'g', 17);
        for (const CurveLine& line : data.lines) {
            out << ',';
            // Empty cell for "not recorded": pandas reads it as NaN.
            if (i < line.y.size() && std::isfinite(line.y[i])) out << QString::number(line.y[i], 'g', 9);
        }
        out << '\n';
    }
    return true;
}

bool writeMapNpy(const MapData& data, const QString& path, QString* error) {
    // NPY 1.0: magic, header length, a Python dict literal padded so the data starts 64-byte aligned.
    const QString shape =
        data.layers * data.heads > 1
            ? QStringLiteral("(%1, %2, %3, %3)").arg(data.layers).arg(data.heads).arg(data.length)
            : QStringLiteral("(%1, %1)").arg(data.length);
    QByteArray header =
        QStringLiteral("{'descr': '<f4', 'fortran_order': False, 'shape': %1, }").arg(shape).toLatin1();
    const int total = 10 + header.size() + 1;
    header.append(QByteArray((64 - total % 64) % 64, ' '));
    header.append('\n');
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        if (error) *error = QStringLiteral("Cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    QByteArray bytes("\x93NUMPY\x01\x00", 8);
    const auto len = quint16(header.size());
    bytes.append(char(len & 0xff));
    bytes.append(char(len >> 8));
    bytes.append(header);
    // Little-endian float32 on every platform we build for (x86-64, arm64).
    bytes.append(reinterpret_cast<const char*>(data.values.data()),
                 qsizetype(data.values.size() * sizeof(float)));
    if (file.write(bytes) != bytes.size()) {
        if (error) *error = QStringLiteral("Cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

} // namespace attnscope::figures
