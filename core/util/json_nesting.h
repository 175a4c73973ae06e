#pragma once
// A bound on the nesting of JSON read from files. nlohmann's parser is iterative, but dump() and every walk
// over a parsed value (applyJson, describe) recurse once per level: a text nested 100,000 deep — damage or
// malice — would overflow the stack there. No AttnScope document nests deeper than a handful of levels.
#include <string>
#include <string_view>

namespace attnscope {

inline constexpr int kMaxJsonNesting = 64;

// The deepest nesting of arrays and objects in `text` (string contents skipped), counting stops at
// `limit` + 1. A linear scan: cheap enough to run before every parse.
int jsonNesting(std::string_view text, int limit = kMaxJsonNesting);

// Throws attnscope::Error("<what> nests arrays or objects deeper than 64 levels ...") when `text` does.
void checkJsonNesting(std::string_view text, const std::string_view what);

} // namespace attnscope
