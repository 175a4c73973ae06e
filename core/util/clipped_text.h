#pragma once
// Quoting untrusted text in messages: a damaged 50 MB configuration must not become a 2 MB error line.
#include <cstddef>
#include <string>
#include <string_view>

namespace attnscope {

// How much of a quoted detail (a parser's message, a value from a file) an error message repeats.
inline constexpr std::size_t kMaxShownErrorDetail = 300;

// `text` cut to at most `maxBytes` bytes at a UTF-8 character boundary, with "…" appended when cut.
inline std::string clippedForDisplay(std::string_view text, std::size_t maxBytes) {
    if (text.size() <= maxBytes) return std::string(text);
    std::size_t end = maxBytes;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end; // continuation byte
    return std::string(text.substr(0, end)) + "…";
}

} // namespace attnscope
