#include "core/store/snapshot_codec.h"

#include "core/io/blob_codec.h"
#include "core/store/quantized_maps.h"
#include "core/util/error.h"

#include <array>
#include <cmath>
#include <limits>

namespace attnscope::snapshotcodec {

namespace {

enum class Extent { LayerHead, LayerHeadLength, Layer, LayerPlusOneLength };

struct FloatArray {
    const char* column;
    std::vector<float> ProbeSnapshot::*member;
    Extent extent;
};

// Order matters: it is the column order in kColumns.
const std::array<FloatArray, 12> kFloatArrays{{
    {"entropy", &ProbeSnapshot::entropy, Extent::LayerHead},
    {"norm_entropy", &ProbeSnapshot::normEntropy, Extent::LayerHead},
    {"max_logit", &ProbeSnapshot::maxLogit, Extent::LayerHead},
    {"mean_row_max", &ProbeSnapshot::meanRowMax, Extent::LayerHead},
    {"sink_score", &ProbeSnapshot::sinkScore, Extent::LayerHead},
    {"mean_distance", &ProbeSnapshot::meanDistance, Extent::LayerHead},
    {"sigma_qk", &ProbeSnapshot::sigmaQK, Extent::LayerHead},
    {"sigma_q", &ProbeSnapshot::sigmaQ, Extent::LayerHead},
    {"sigma_k", &ProbeSnapshot::sigmaK, Extent::LayerHead},
    {"entropy_bound", &ProbeSnapshot::entropyBound, Extent::LayerHead},
    {"key_profile", &ProbeSnapshot::keyProfile, Extent::LayerHeadLength},
    {"importance_entropy", &ProbeSnapshot::importanceEntropy, Extent::Layer},
}};

// Schema 2 (extreme-token metrics): stored after the maps, so schema-1 column positions stay unchanged.
const std::array<FloatArray, 5> kSinkArrays{{
    {"sink_non_trigger", &ProbeSnapshot::sinkNonTrigger, Extent::LayerHead},
    {"top_key", &ProbeSnapshot::topKey, Extent::LayerHead},
    {"top_key_share", &ProbeSnapshot::topKeyShare, Extent::LayerHead},
    {"value_norm", &ProbeSnapshot::valueNorm, Extent::LayerHeadLength},
    {"residual_norm", &ProbeSnapshot::residualNorm, Extent::LayerPlusOneLength},
}};

// Schema 3 (head scores, core/probe/head_scores.h): after the schema-2 columns.
const std::array<FloatArray, 4> kScoreArrays{{
    {"previous_token", &ProbeSnapshot::previousToken, Extent::LayerHead},
    {"duplicate_token", &ProbeSnapshot::duplicateToken, Extent::LayerHead},
    {"induction_score", &ProbeSnapshot::inductionScore, Extent::LayerHead},
    {"local_mass", &ProbeSnapshot::localMass, Extent::LayerHead},
}};

// Upper bounds that no real model reaches; they keep a damaged dimension from requesting absurd memory.
constexpr int kMaxLayers = 4096, kMaxHeads = 4096, kMaxLength = 1 << 16;

std::size_t expectedSize(Extent extent, const ProbeSnapshot& s) {
    const std::size_t layerHeads = std::size_t(s.layers) * std::size_t(s.heads);
    switch (extent) {
    case Extent::LayerHead:
        return layerHeads;
    case Extent::LayerHeadLength:
        return layerHeads * std::size_t(s.length);
    case Extent::Layer:
        return std::size_t(s.layers);
    case Extent::LayerPlusOneLength:
        return std::size_t(s.layers + 1) * std::size_t(s.length);
    }
    return 0;
}

// Arrays are optional (a probe may skip a metric), but when present they must be complete.
void checkSize(std::size_t actual, std::size_t expected, const char* field, const std::string& what) {
    if (actual != 0 && actual != expected)
        throw Error(what + ": " + field + " has " + std::to_string(actual) + " values, expected " +
                    std::to_string(expected) + ".");
}

std::string dims(const ProbeSnapshot& s) {
    return std::to_string(s.layers) + " layers × " + std::to_string(s.heads) + " heads × length " +
           std::to_string(s.length);
}

} // namespace

const char* const kColumns =
    "step, layers, heads, length, tokens, entropy, norm_entropy, max_logit, mean_row_max, sink_score, "
    "mean_distance, sigma_qk, sigma_q, sigma_k, entropy_bound, key_profile, importance_entropy, sink_rate, "
    "out_logit_max, mean_log_z, map_encoding, attention, logits, sink_non_trigger, top_key, top_key_share, "
    "value_norm, residual_norm, previous_token, duplicate_token, induction_score, local_mass";

int columnCount() {
    return 4 + 1 + int(kFloatArrays.size()) + 3 + 1 + 2 + int(kSinkArrays.size()) + int(kScoreArrays.size());
}

std::vector<std::string> addedColumns() {
    std::vector<std::string> names;
    for (const FloatArray& a : kSinkArrays) names.push_back(a.column);
    for (const FloatArray& a : kScoreArrays) names.push_back(a.column);
    return names;
}

std::string selectColumns(sqlite::Database& db, const std::string& table) {
    std::string columns = kColumns;
    for (const std::string& name : addedColumns()) {
        if (db.queryText("SELECT count(*) FROM pragma_table_info('" + table + "') WHERE name = '" + name +
                         "'") == "0") {
            const std::size_t at = columns.find(name);
            columns.replace(at, name.size(), "NULL AS " + name);
        }
    }
    return columns;
}

EncodedSnapshot encode(const ProbeSnapshot& s) {
    const std::string what = "Cannot store the probe snapshot of step " + std::to_string(s.step);
    if (s.layers < 1 || s.heads < 1 || s.length < 0 || s.layers > kMaxLayers || s.heads > kMaxHeads ||
        s.length > kMaxLength)
        throw Error(what + ": its dimensions (" + dims(s) + ") are out of range.");
    checkSize(s.tokens.size(), std::size_t(s.length), "tokens", what);
    for (const FloatArray& a : kFloatArrays)
        checkSize((s.*a.member).size(), expectedSize(a.extent, s), a.column, what);
    for (const FloatArray& a : kSinkArrays)
        checkSize((s.*a.member).size(), expectedSize(a.extent, s), a.column, what);
    for (const FloatArray& a : kScoreArrays)
        checkSize((s.*a.member).size(), expectedSize(a.extent, s), a.column, what);
    if (s.scalarNames.size() != s.scalarValues.size())
        throw Error(what + ": it has " + std::to_string(s.scalarNames.size()) + " scalar names but " +
                    std::to_string(s.scalarValues.size()) + " values.");
    const std::size_t maps = std::size_t(s.layers) * std::size_t(s.heads);
    const std::size_t mapValues = maps * std::size_t(s.length) * std::size_t(s.length);
    checkSize(s.attention.size(), mapValues, "attention", what);
    checkSize(s.logits.size(), mapValues, "logits", what);

    EncodedSnapshot e;
    e.step = s.step;
    e.layers = s.layers;
    e.heads = s.heads;
    e.length = s.length;
    e.blobs.push_back(blob::int32sToBytes(s.tokens));
    for (const FloatArray& a : kFloatArrays) e.blobs.push_back(blob::floatsToBytes(s.*a.member));
    e.mapEncoding = s.mapPrecision == MapPrecision::Quantized8 ? quantizedmaps::kEncoding : kMapEncoding;
    const auto packMaps = [&](const std::vector<float>& v) {
        if (v.empty()) return std::vector<std::uint8_t>();
        return s.mapPrecision == MapPrecision::Quantized8
                   ? quantizedmaps::pack(v, maps, std::size_t(s.length))
                   : blob::packCausalMaps(v, maps, std::size_t(s.length));
    };
    e.blobs.push_back(packMaps(s.attention));
    e.blobs.push_back(packMaps(s.logits));
    for (const FloatArray& a : kSinkArrays) e.blobs.push_back(blob::floatsToBytes(s.*a.member));
    for (const FloatArray& a : kScoreArrays) e.blobs.push_back(blob::floatsToBytes(s.*a.member));
    e.sinkRate = s.sinkRate;
    e.outLogitMax = s.outLogitMax;
    e.meanLogZ = s.meanLogZ;
    return e;
}

void bind(sqlite::Statement& insert, const EncodedSnapshot& e) {
    insert.bind(1, std::int64_t(e.step));
    insert.bind(2, std::int64_t(e.layers));
    insert.bind(3, std::int64_t(e.heads));
    insert.bind(4, std::int64_t(e.length));
    int column = 5;
    const std::size_t arrays = 1 + kFloatArrays.size(); // tokens + float arrays
    for (std::size_t i = 0; i < arrays; ++i) insert.bindBlob(column++, e.blobs[i]);
    insert.bind(column++, e.sinkRate);
    insert.bind(column++, e.outLogitMax);
    insert.bind(column++, e.meanLogZ);
    insert.bind(column++, e.mapEncoding);
    insert.bindBlob(column++, e.blobs[arrays]);
    insert.bindBlob(column++, e.blobs[arrays + 1]);
    for (std::size_t i = 0; i < kSinkArrays.size() + kScoreArrays.size(); ++i)
        insert.bindBlob(column++, e.blobs[arrays + 2 + i]);
}

ProbeSnapshot decode(const sqlite::Statement& row, const std::string& what, bool maps) {
    ProbeSnapshot s;
    const std::int64_t step = row.int64At(0), layers = row.int64At(1), heads = row.int64At(2),
                       length = row.int64At(3);
    if (layers < 1 || heads < 1 || length < 0 || layers > kMaxLayers || heads > kMaxHeads ||
        length > kMaxLength || step < std::numeric_limits<int>::min() ||
        step > std::numeric_limits<int>::max())
        throw Error(what + " is damaged: a snapshot has impossible dimensions.");
    s.step = int(step);
    s.layers = int(layers);
    s.heads = int(heads);
    s.length = int(length);
    const std::string where = what + " (snapshot of step " + std::to_string(s.step) + ")";
    const auto sizeCheck = [&](std::size_t actual, std::size_t expected, const char* field) {
        if (actual != 0 && actual != expected)
            throw Error(where + " is damaged: " + field + " has " + std::to_string(actual) + " values for " +
                        dims(s) + ".");
    };
    int column = 4;
    s.tokens = blob::bytesToInt32s(row.blobAt(column++), where);
    sizeCheck(s.tokens.size(), std::size_t(s.length), "tokens");
    for (const FloatArray& a : kFloatArrays) {
        s.*a.member = blob::bytesToFloats(row.blobAt(column++), where);
        sizeCheck((s.*a.member).size(), expectedSize(a.extent, s), a.column);
    }
    s.sinkRate = float(row.doubleAt(column++));
    s.outLogitMax = float(row.doubleAt(column++));
    s.meanLogZ = float(row.doubleAt(column++));
    const std::string encoding = row.textAt(column++);
    const bool quantized = encoding == quantizedmaps::kEncoding;
    if (encoding != kMapEncoding && !quantized)
        throw Error(where + " uses attention-map encoding \"" + encoding +
                    "\", which this version cannot read.");
    s.mapPrecision = quantized ? MapPrecision::Quantized8 : MapPrecision::Float16;
    const std::size_t mapCount = std::size_t(s.layers) * std::size_t(s.heads);
    const auto unpack = [&](int col, float upperFill, const char* field) {
        if (!maps || row.isNull(col)) return std::vector<float>();
        std::vector<std::uint8_t> packed = row.blobAt(col);
        if (packed.empty()) return std::vector<float>();
        if (quantized)
            return quantizedmaps::PackedMaps(std::move(packed), mapCount, std::size_t(s.length),
                                             where + " " + field)
                .all(upperFill);
        return blob::unpackCausalMaps(packed, mapCount, std::size_t(s.length), upperFill,
                                      where + " " + field);
    };
    s.attention = unpack(column++, 0.0f, "attention");
    s.logits = unpack(column++, std::numeric_limits<float>::quiet_NaN(), "logits");
    for (const FloatArray& a : kSinkArrays) { // NULL in schema-1 files: empty arrays
        s.*a.member = blob::bytesToFloats(row.blobAt(column++), where);
        sizeCheck((s.*a.member).size(), expectedSize(a.extent, s), a.column);
    }
    for (const FloatArray& a : kScoreArrays) { // NULL before schema 3
        s.*a.member = blob::bytesToFloats(row.blobAt(column++), where);
        sizeCheck((s.*a.member).size(), expectedSize(a.extent, s), a.column);
    }
    return s;
}

} // namespace attnscope::snapshotcodec
