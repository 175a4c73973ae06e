#include "core/sweep/cells_csv_reader.h"

#include "core/util/error.h"

#include <cmath>
#include <fstream>
#include <sstream>
#include <vector>

namespace attnscope {

namespace {

// One record of RFC 4180 CSV (quoted fields may hold commas, quotes and newlines).
bool readRecord(std::istream& in, std::vector<std::string>& fields) {
    fields.clear();
    if (in.peek() == std::char_traits<char>::eof()) return false;
    std::string field;
    bool quoted = false;
    char c = 0;
    while (in.get(c)) {
        if (quoted) {
            if (c != '"') {
                field += c;
            } else if (in.peek() == '"') {
                field += '"';
                in.get(c);
            } else {
                quoted = false;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            fields.push_back(field);
            field.clear();
        } else if (c == '\n') {
            break;
        } else if (c != '\r') {
            field += c;
        }
    }
    fields.push_back(field);
    return true;
}

double number(const std::string& text) {
    if (text.empty()) return NAN; // cellsCsv writes NaN as an empty field
    try {
        return std::stod(text);
    } catch (const std::exception&) {
        return NAN;
    }
}

int integer(const std::string& text) {
    const double v = number(text);
    return std::isfinite(v) ? int(v) : 0;
}

} // namespace

std::map<std::string, CellResult> readCellsCsv(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error("Cannot read " + path + ".");
    std::vector<std::string> header, f;
    if (!readRecord(in, header) || header.empty() || header[0] != "cell")
        throw Error(path + " is not a sweep cells summary (its first column is not \"cell\").");
    std::map<std::string, int> col;
    for (int i = 0; i < int(header.size()); ++i) col[header[std::size_t(i)]] = i;
    for (const char* needed : {"status", "complete", "diverged", "init_loss", "final_val_loss", "max_logit"})
        if (!col.count(needed)) throw Error(path + " has no column \"" + needed + "\".");
    const int statusCol = col["status"]; // the axis labels sit between "cell" and "status"
    std::map<std::string, CellResult> out;
    int line = 1;
    while (readRecord(in, f)) {
        ++line;
        if (f.size() == 1 && f[0].empty()) continue; // trailing newline
        if (f.size() != header.size())
            throw Error(path + ", line " + std::to_string(line) + ": " + std::to_string(f.size()) +
                        " fields, the header has " + std::to_string(header.size()) + ".");
        auto get = [&](const char* name) {
            return col.count(name) ? f[std::size_t(col[name])] : std::string();
        };
        CellResult r;
        r.id = f[0];
        r.labels.assign(f.begin() + 1, f.begin() + statusCol);
        r.status = get("status");
        r.complete = get("complete") == "1";
        r.diverged = get("diverged") == "1";
        r.step = integer(get("step"));
        r.steps = integer(get("steps"));
        r.initLoss = number(get("init_loss"));
        r.finalLoss = number(get("final_loss"));
        r.finalValLoss = number(get("final_val_loss"));
        r.maxLogit = number(get("max_logit"));
        r.peakMaxLogit = number(get("peak_max_logit"));
        r.minEntropy = number(get("min_entropy"));
        r.meanEntropy = number(get("mean_entropy"));
        r.events = integer(get("events"));
        out[r.id] = r;
    }
    return out;
}

} // namespace attnscope
