#include "core/hf/pretokenize.h"

#include <unicode/uchar.h>

namespace attnscope::hf {

namespace {

bool isLetter(std::int32_t cp) {
    if (cp < 0) return false;
    const std::int8_t t = u_charType(UChar32(cp));
    return t == U_UPPERCASE_LETTER || t == U_LOWERCASE_LETTER || t == U_TITLECASE_LETTER ||
           t == U_MODIFIER_LETTER || t == U_OTHER_LETTER;
}
bool isNumber(std::int32_t cp) {
    if (cp < 0) return false;
    const std::int8_t t = u_charType(UChar32(cp));
    return t == U_DECIMAL_DIGIT_NUMBER || t == U_LETTER_NUMBER || t == U_OTHER_NUMBER;
}
bool isSpace(std::int32_t cp) {
    return cp >= 0 && u_isUWhiteSpace(UChar32(cp));
}

} // namespace

std::vector<TextUnit> decodeUtf8(std::string_view text) {
    std::vector<TextUnit> units;
    std::size_t i = 0;
    while (i < text.size()) {
        const auto b0 = static_cast<unsigned char>(text[i]);
        int length = b0 < 0x80             ? 1
                     : (b0 & 0xE0) == 0xC0 ? 2
                     : (b0 & 0xF0) == 0xE0 ? 3
                     : (b0 & 0xF8) == 0xF0 ? 4
                                           : 0;
        std::int32_t cp = length == 1   ? b0
                          : length == 2 ? (b0 & 0x1F)
                          : length == 3 ? (b0 & 0x0F)
                                        : (b0 & 0x07);
        bool valid = length > 0 && i + std::size_t(length) <= text.size();
        for (int k = 1; valid && k < length; ++k) {
            const auto b = static_cast<unsigned char>(text[i + std::size_t(k)]);
            valid = (b & 0xC0) == 0x80;
            cp = (cp << 6) | (b & 0x3F);
        }
        // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
        static constexpr std::int32_t kMin[5] = {0, 0, 0x80, 0x800, 0x10000};
        if (valid && (cp < kMin[length] || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)) valid = false;
        if (!valid) {
            units.push_back({-1, i, i + 1});
            ++i;
        } else {
            units.push_back({cp, i, i + std::size_t(length)});
            i += std::size_t(length);
        }
    }
    return units;
}

std::string encodeUtf8(std::uint32_t cp) {
    std::string s;
    if (cp < 0x80) {
        s += char(cp);
    } else if (cp < 0x800) {
        s += char(0xC0 | (cp >> 6)), s += char(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        s += char(0xE0 | (cp >> 12)), s += char(0x80 | ((cp >> 6) & 0x3F)), s += char(0x80 | (cp & 0x3F));
    } else {
        s += char(0xF0 | (cp >> 18)), s += char(0x80 | ((cp >> 12) & 0x3F)),
            s += char(0x80 | ((cp >> 6) & 0x3F));
        s += char(0x80 | (cp & 0x3F));
    }
    return s;
}

std::vector<std::pair<std::size_t, std::size_t>> splitGpt2(std::string_view text) {
    const std::vector<TextUnit> u = decodeUtf8(text);
    const std::size_t n = u.size();
    std::vector<std::pair<std::size_t, std::size_t>> pieces;
    auto cp = [&](std::size_t k) { return k < n ? u[k].codePoint : -2; };
    auto other = [&](std::size_t k) {
        return k < n && !isSpace(cp(k)) && !isLetter(cp(k)) && !isNumber(cp(k));
    };
    std::size_t i = 0;
    while (i < n) {
        std::size_t end = i;
        // 's|'t|'re|'ve|'m|'ll|'d (case-sensitive, as GPT-2's pattern)
        if (cp(i) == '\'') {
            const std::int32_t a = cp(i + 1), b = cp(i + 2);
            if (a == 's' || a == 't' || a == 'm' || a == 'd')
                end = i + 2;
            else if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l'))
                end = i + 3;
        }
        if (end == i) {
            // ` ?\p{L}+`, ` ?\p{N}+`, ` ?[^\s\p{L}\p{N}]+`: an optional space, then a run of one class.
            const std::size_t start = cp(i) == ' ' ? i + 1 : i;
            for (auto* cls :
                 {+[](std::int32_t c) { return isLetter(c); }, +[](std::int32_t c) { return isNumber(c); }}) {
                if (end != i || start >= n || !cls(cp(start))) continue;
                end = start;
                while (end < n && cls(cp(end))) ++end;
            }
            if (end == i && other(start)) {
                end = start;
                while (other(end)) ++end;
            }
        }
        if (end == i) {
            // `\s+(?!\S)` leaves the last space of a run before a non-space to the next piece; `\s+`
            // otherwise.
            std::size_t run = i;
            while (run < n && isSpace(cp(run))) ++run;
            end = run == n || run - i == 1 ? run : run - 1;
        }
        pieces.push_back({u[i].begin, u[end - 1].end});
        i = end;
    }
    return pieces;
}

const std::array<std::string, 256>& byteToUnicode() {
    static const std::array<std::string, 256> table = [] {
        std::array<std::string, 256> t;
        int extra = 0;
        for (int b = 0; b < 256; ++b) {
            const bool printable =
                (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            t[std::size_t(b)] = encodeUtf8(printable ? std::uint32_t(b) : std::uint32_t(256 + extra++));
        }
        return t;
    }();
    return table;
}

int unicodeToByte(std::int32_t codePoint) {
    static const std::array<std::int32_t, 512> inverse = [] {
        std::array<std::int32_t, 512> inv;
        inv.fill(-1);
        int extra = 0;
        for (int b = 0; b < 256; ++b) {
            const bool printable =
                (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            inv[std::size_t(printable ? b : 256 + extra++)] = b;
        }
        return inv;
    }();
    return codePoint >= 0 && codePoint < 512 ? inverse[std::size_t(codePoint)] : -1;
}

} // namespace attnscope::hf
