#include "core/eval/position_loss.h"

#include "core/data/tokenizer.h"
#include "core/eval/extrapolation.h"
#include "core/model/workspace.h"

#include <algorithm>

namespace attnscope {

PositionLoss lossByPosition(Model<float>& model, const TokenSource& source, int length, bool bos,
                            std::int64_t maxTokens) {
    PositionLoss result;
    const std::vector<std::int32_t>& stream = source.validationStream();
    if (length < 1 || !extrapolationLimit(model.config(), length).empty()) return result;
    // A chunk at offset o reads [o, o + length + shift): inputs s[o, o+length) and targets s[o+1, …]
    // without <bos>; with <bos> first, inputs <bos> + s[o, o+length−1) and targets s[o, o+length).
    const std::int64_t shift = bos ? 0 : 1;
    const std::int64_t available = (std::int64_t(stream.size()) - shift) / length;
    const std::int64_t chunks =
        std::min<std::int64_t>(available, std::max<std::int64_t>(1, maxTokens / length));
    if (available < 1) return result;
    const int V = model.config().vocab;
    Workspace<float> ws(model.config(), 1, length);
    std::vector<std::int32_t> in(length), target(length);
    result.loss.assign(length, 0.0);
    for (std::int64_t c = 0; c < chunks; ++c) {
        const std::int32_t* src = stream.data() + c * length;
        for (int i = 0; i < length; ++i) {
            in[i] = bos ? (i == 0 ? Tokenizer::kBos : src[i - 1]) : src[i];
            target[i] = bos ? src[i] : src[i + 1];
        }
        model.forward(ws, in.data(), nullptr);
        for (int i = 0; i < length; ++i)
            result.loss[i] += double(ws.logZ[i]) - double(ws.logits[std::size_t(i) * V + target[i]]);
    }
    for (double& l : result.loss) l /= double(chunks);
    result.sequences = chunks;
    return result;
}

} // namespace attnscope
