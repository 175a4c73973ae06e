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

SweepSpec tinySweepSpec(int steps, const std::vector<double>& lrs) {
    using nlohmann::json;
    return sweepSpecFromJson(json{{"name", "tiny"},
                                  {"base", tinySweepBase(steps)},
                                  {"axes",
                                   {{{"name", "variant"},
                                     {"variants",
                                      {{{"label", "base"}, {"set", json::object()}},
                                       {{"label", "qk"}, {"set", {{"model", {{"qk_norm", true}}}}}}}}},
                                    {{"field", "train.lr"}, {"values", lrs}},
                                    {{"field", "train.seed"}, {"values", {1, 2}}}}}});
}

} // namespace attnscope::test
