// Validation of the data settings. Comparisons are written so that NaN fails them.
#include "core/data/data_config.h"

#include "core/data/synthetic_tasks.h"
#include "core/data/token_source.h"
#include "core/util/config_checker.h"

#include <algorithm>

namespace attnscope {

std::vector<std::string> DataConfig::validate() const {
    ConfigChecker c;
    const auto& sources = dataSourceNames();
    if (std::find(sources.begin(), sources.end(), source) == sources.end())
        c.errors.push_back("source \"" + source + "\" is unknown; choose " + ConfigChecker::choices(sources) +
                           ".");
    if (source == "file" && path.empty())
        c.errors.push_back("path must name a text file when source is \"file\".");
    if (source == "task") {
        // Task settings are checked only when a task is used, so a text run never fails on them.
        const auto& tasks = taskNames();
        if (std::find(tasks.begin(), tasks.end(), task) == tasks.end())
            c.errors.push_back("task \"" + task + "\" is unknown; choose " + ConfigChecker::choices(tasks) +
                               ".");
        c.require(taskAlphabet >= 2 && taskAlphabet <= 64, "task_alphabet", "between 2 and 64 symbols",
                  taskAlphabet);
        c.require(taskLocalK >= 1 && taskLocalK <= 16, "task_local_k", "between 1 and 16", taskLocalK);
        c.require(taskTriggers >= 1 && taskTriggers <= 32, "task_triggers", "between 1 and 32", taskTriggers);
    }
    c.require(valFraction > 0 && valFraction < 1, "val_fraction", "strictly between 0 and 1", valFraction);
    return c.errors;
}

} // namespace attnscope
