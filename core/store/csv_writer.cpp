#include "core/store/csv_writer.h"

#include "core/util/error.h"

namespace attnscope {

CsvWriter::CsvWriter(const std::string& path, const std::vector<std::string>& columns)
    : m_path(path), m_out(path, std::ios::binary | std::ios::trunc), m_columns(columns.size()) {
    if (!m_out) throw Error("Cannot create " + path + ".");
    std::string line;
    for (std::size_t i = 0; i < columns.size(); ++i) {
        if (i) line += ',';
        line += csvField(columns[i]);
    }
    m_out << line << '\n';
}

void CsvWriter::row(const std::vector<std::string>& fields) {
    std::string line;
    for (std::size_t i = 0; i < m_columns; ++i) {
        if (i) line += ',';
        if (i < fields.size()) line += csvField(fields[i]);
    }
    m_out << line << '\n';
    ++m_rows;
}

void CsvWriter::close() {
    m_out.flush();
    if (!m_out) throw Error("Cannot write " + m_path + " (is the disk full?).");
    m_out.close();
}

std::string csvField(const std::string& text) {
    if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
    std::string quoted = "\"";
    for (const char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    return quoted + "\"";
}

} // namespace attnscope
