#pragma once
// The Debian fortunes corpus: English quotations, literature and verse from the `fortunes` package,
// assembled into one text. Its identity never depends on the run seed, so every run sees the same corpus.
#include <cstddef>
#include <string>
#include <vector>

namespace attnscope {

// Where the fortune files are: $ATTNSCOPE_FORTUNES_DIR when set (tests point it elsewhere to simulate a
// missing package), otherwise /usr/share/games/fortunes.
std::string fortunesDirectory();

// The categories read, in this order: quotation, literature and verse files. The offensive `off/`
// directory and the strfile indexes (.dat) are never read; .u8 entries are links to the same text.
const std::vector<std::string>& fortuneCategories();

struct FortunesText {
    std::string text;               // every fortune once, shuffled, separated by a blank line
    std::vector<std::string> files; // category files that were found and read
    std::size_t fortunes = 0;       // number of fortunes in `text`
};

// Reads the categories present in `directory`, splits them at the `%` lines, renders terminal overstrike
// (fortune files underline as "_\bx"), drops other control characters, and shuffles whole fortunes with a
// fixed seed. Throws attnscope::Error naming the package when no category file exists, and naming the file
// when one is not UTF-8 text.
FortunesText loadFortunes(const std::string& directory = fortunesDirectory());

} // namespace attnscope
