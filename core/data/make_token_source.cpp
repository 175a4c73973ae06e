// makeTokenSource: DataConfig → the concrete TokenSource (text file, fortunes, synthetic task).
#include "core/data/bigram_backcopy.h"
#include "core/data/fortunes.h"
#include "core/data/synthetic_tasks.h"
#include "core/data/text_corpus.h"
#include "core/data/token_source.h"
#include "core/util/error.h"

namespace attnscope {

const std::vector<std::string>& dataSourceNames() {
    static const std::vector<std::string> names{"fortunes", "file", "task"};
    return names;
}

std::vector<std::int32_t> TokenSource::ordinarySymbols() const {
    std::vector<std::int32_t> ids;
    for (std::int32_t id = Tokenizer::kBos + 1; id < tokenizer().vocabSize(); ++id) ids.push_back(id);
    return ids;
}

std::unique_ptr<TokenSource> makeTokenSource(const DataConfig& config, int context) {
    // validate() names every problem at once (unknown source or task with the valid names, bad fractions);
    // the constructors below only add what needs the data itself.
    const std::vector<std::string> problems = config.validate();
    if (!problems.empty()) {
        std::string message = "The data settings are invalid:";
        for (const auto& p : problems) message += " " + p;
        throw Error(message);
    }
    if (context < 1)
        throw Error("The context must be at least one token (got " + std::to_string(context) + ").");

    if (config.source == "file") {
        const std::string text = readTextFile(config.path);
        return std::make_unique<TextCorpus>("file:" + config.path, "The corpus file '" + config.path + "'",
                                            text, config, context);
    }
    if (config.source == "fortunes") {
        const FortunesText fortunes = loadFortunes();
        return std::make_unique<TextCorpus>("fortunes (" + std::to_string(fortunes.files.size()) + " files)",
                                            "The fortunes corpus", fortunes.text, config, context);
    }
    if (config.task == kBigramBackcopyTask) {
        // The chain is estimated from data.path when given, otherwise from the fortunes corpus.
        if (!config.path.empty())
            return std::make_unique<BigramBackcopyTask>("file:" + config.path, readTextFile(config.path),
                                                        config);
        const FortunesText fortunes = loadFortunes();
        return std::make_unique<BigramBackcopyTask>(
            "fortunes (" + std::to_string(fortunes.files.size()) + " files)", fortunes.text, config);
    }
    return std::make_unique<SyntheticTask>(config); // validate() admits no other source
}

} // namespace attnscope
