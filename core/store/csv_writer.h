#pragma once
// CSV files (RFC 4180 quoting) written row by row: export-data's tables and the figures' curve side-cars.
#include <fstream>
#include <string>
#include <vector>

namespace attnscope {

class CsvWriter {
public:
    // Creates (truncates) the file and writes the header row. Throws attnscope::Error when it cannot.
    CsvWriter(const std::string& path, const std::vector<std::string>& columns);
    void row(const std::vector<std::string>& fields);
    // Flushes and checks that everything reached the disk; throws attnscope::Error otherwise.
    void close();
    std::size_t rows() const { return m_rows; }
    const std::string& path() const { return m_path; }

private:
    std::string m_path;
    std::ofstream m_out;
    std::size_t m_columns = 0, m_rows = 0;
};

// Quotes a field when it contains a comma, quote or line break (quotes doubled), as RFC 4180 says.
std::string csvField(const std::string& text);

} // namespace attnscope
