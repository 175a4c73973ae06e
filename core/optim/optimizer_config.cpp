#include "core/optim/optimizer_config.h"

namespace attnscope {

const char* toString(OptimizerKind k) {
    return k == OptimizerKind::AdamW ? "adamw" : "sgd";
}

bool parse(const std::string& s, OptimizerKind& out) {
    if (s == "adamw")
        out = OptimizerKind::AdamW;
    else if (s == "sgd")
        out = OptimizerKind::Sgd;
    else
        return false;
    return true;
}

} // namespace attnscope
