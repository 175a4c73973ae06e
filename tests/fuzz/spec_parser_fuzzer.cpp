// libFuzzer target: any bytes as a stored run configuration (spec_json), through the same steps as RunReader:
// the nesting bound, nlohmann's parser, runSpecFromJson and validation. Only attnscope::Error and
// nlohmann::json::exception (reported by the reader as "not valid JSON") may come out.
#include "core/train/run_spec.h"
#include "core/util/error.h"
#include "core/util/json_nesting.h"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        attnscope::checkJsonNesting(text, "the fuzzed configuration");
        const attnscope::RunSpec spec = attnscope::runSpecFromJson(nlohmann::json::parse(text));
        spec.model.validate();
        spec.train.validate();
    } catch (const attnscope::Error&) {
    } catch (const nlohmann::json::exception&) {
    }
    return 0;
}
