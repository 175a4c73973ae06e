#include "core/util/json_nesting.h"

#include "core/util/error.h"

#include <string>

namespace attnscope {

int jsonNesting(std::string_view text, int limit) {
    int depth = 0, deepest = 0;
    bool inString = false, escaped = false;
    for (const char c : text) {
        if (inString) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                inString = false;
            continue;
        }
        if (c == '"') {
            inString = true;
        } else if (c == '[' || c == '{') {
            if (++depth > deepest) deepest = depth;
            if (deepest > limit) return deepest;
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        }
    }
    return deepest;
}

void checkJsonNesting(std::string_view text, const std::string_view what) {
    if (jsonNesting(text) > kMaxJsonNesting)
        throw Error(std::string(what) + " nests arrays or objects deeper than " +
                    std::to_string(kMaxJsonNesting) + " levels, which no AttnScope file does.");
}

} // namespace attnscope
