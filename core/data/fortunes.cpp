#include "core/data/fortunes.h"

#include "core/data/text_corpus.h"
#include "core/util/error.h"
#include "core/util/rng.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string_view>
#include <utility>

namespace attnscope {

namespace {

// Fixed, independent of every run seed: the corpus (and so its content hash and validation split) is the
// same for all runs. The value spells "fortunes" in ASCII.
constexpr std::uint64_t kShuffleSeed = 0x666f7274756e6573ULL;

std::size_t utf8Length(unsigned char lead) {
    if (lead < 0x80) return 1;
    if ((lead & 0xE0) == 0xC0) return 2;
    if ((lead & 0xF0) == 0xE0) return 3;
    return 4;
}

// One line as a terminal would show it: backspace moves the cursor back one character and the next character
// overprints the cell. Overprinting with '_' is underlining, so '_' never replaces a visible character.
// Other control characters (bell, CR) are dropped; trailing blanks are trimmed.
std::string renderLine(std::string_view line) {
    if (std::none_of(line.begin(), line.end(),
                     [](char c) { return (c >= 0 && c < 0x20 && c != '\t') || c == 0x7F; })) {
        const std::size_t end = line.find_last_not_of(" \t"); // the common case: plain text
        return std::string(line.substr(0, end == std::string_view::npos ? 0 : end + 1));
    }
    std::vector<std::string_view> cells;
    std::size_t cursor = 0;
    for (std::size_t i = 0; i < line.size();) {
        const unsigned char c = static_cast<unsigned char>(line[i]);
        const std::size_t len = std::min(utf8Length(c), line.size() - i);
        const std::string_view ch = line.substr(i, len);
        i += len;
        if (c == '\b') {
            if (cursor > 0) --cursor;
            continue;
        }
        if ((c < 0x20 && c != '\t') || c == 0x7F) continue;
        if (cursor < cells.size()) {
            if (ch != "_" || cells[cursor] == " ") cells[cursor] = ch;
        } else {
            cells.push_back(ch);
        }
        ++cursor;
    }
    while (!cells.empty() && (cells.back() == " " || cells.back() == "\t")) cells.pop_back();
    std::string out;
    for (const auto& cell : cells) out += cell;
    return out;
}

// Splits one fortune file at its "%" lines into cleaned fortunes (blank lines around each one removed).
void splitFortunes(std::string_view text, std::vector<std::string>& out) {
    std::vector<std::string> lines;
    auto flush = [&] {
        std::size_t first = 0, last = lines.size();
        while (first < last && lines[first].empty()) ++first;
        while (last > first && lines[last - 1].empty()) --last;
        if (first < last) {
            std::string fortune;
            for (std::size_t i = first; i < last; ++i) fortune += (i > first ? "\n" : "") + lines[i];
            out.push_back(std::move(fortune));
        }
        lines.clear();
    };
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        const std::string line = renderLine(text.substr(start, end - start));
        start = end + 1;
        if (line == "%")
            flush();
        else
            lines.push_back(line);
    }
    flush();
}

} // namespace

std::string fortunesDirectory() {
    const char* env = std::getenv("ATTNSCOPE_FORTUNES_DIR");
    return env && *env ? std::string(env) : std::string("/usr/share/games/fortunes");
}

const std::vector<std::string>& fortuneCategories() {
    static const std::vector<std::string> categories{"art",    "education", "humorists",  "literature",
                                                     "love",   "people",    "platitudes", "songs-poems",
                                                     "wisdom", "work"};
    return categories;
}

FortunesText loadFortunes(const std::string& directory) {
    FortunesText result;
    std::vector<std::string> fortunes;
    for (const auto& category : fortuneCategories()) {
        const std::string path = (std::filesystem::path(directory) / category).string();
        std::error_code ec;
        if (!std::filesystem::is_regular_file(path, ec)) continue;
        const std::string bytes = readTextFile(path); // refuses binary or non-UTF-8 files, naming them
        splitFortunes(bytes, fortunes);
        result.files.push_back(path);
    }
    if (result.files.empty() || fortunes.empty())
        throw Error("The fortunes corpus needs the Debian package 'fortunes' (apt-get install fortunes); or "
                    "choose a text file or a synthetic task.");

    Rng rng(kShuffleSeed);
    for (std::size_t i = fortunes.size() - 1; i > 0; --i) std::swap(fortunes[i], fortunes[rng.below(i + 1)]);
    std::size_t size = 0;
    for (const auto& f : fortunes) size += f.size() + 2;
    result.text.reserve(size);
    for (const auto& f : fortunes) {
        if (!result.text.empty()) result.text += "\n\n"; // a blank line between fortunes
        result.text += f;
    }
    result.text += '\n';
    result.fortunes = fortunes.size();
    return result;
}

} // namespace attnscope
