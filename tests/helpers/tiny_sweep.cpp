#include "helpers/tiny_sweep.h"

namespace attnscope::test {

nlohmann::json tinySweepBase(int steps) {
    using nlohmann::json;
    return json{{"model", {{"layers", 1}, {"heads", 2}, {"d_model", 16}, {"context", 16}}},
                {"train",
                 {{"steps", steps},
                  {"batch", 4},
                  {"warmup", 5},
                  {"eval_every", 10},
                  {"record_every", 10},
                  {"checkpoint_every", 10},
                  {"probe_length", 8}}},
                {"data", {{"source", "task"}, {"task", "copy"}}}};
}

} // namespace attnscope::test
