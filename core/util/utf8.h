#pragma once
// UTF-8 validation (RFC 3629) for text that becomes JSON or is shown to users: corpora, names, options.
#include <cstddef>
#include <string_view>

namespace attnscope {

// Offset of the first byte that does not start a well-formed UTF-8 character (RFC 3629: no overlong forms,
// no surrogates, nothing above U+10FFFF), or npos when the whole text is valid.
std::size_t firstInvalidUtf8(std::string_view s);

inline bool isValidUtf8(std::string_view s) {
    return firstInvalidUtf8(s) == std::string_view::npos;
}

} // namespace attnscope
