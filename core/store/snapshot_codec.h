#pragma once
// Converts a ProbeSnapshot to the columns of the `snapshots` table and back. Per-head scalars are raw
// float32 blobs; attention maps and content logits keep only the causal lower triangle (key ≤ query) as
// float16 and are zlib-compressed (encoding "f16_tril_zlib", docs/run-format.md), or 8-bit quantised per
// row ("q8_tril_zlib", quantized_maps.h) when the snapshot asks for MapPrecision::Quantized8.
#include "core/probe/snapshot.h"
#include "core/store/sqlite_db.h"

#include <cstdint>
#include <string>
#include <vector>

namespace attnscope::snapshotcodec {

inline constexpr const char* kMapEncoding = "f16_tril_zlib";

// Column list shared by INSERT and SELECT, in bind/read order (step first).
extern const char* const kColumns;
int columnCount();
// The snapshot columns schemas 2 and 3 added (ALTER TABLE adds them when an older run is resumed).
std::vector<std::string> addedColumns();
// kColumns for a SELECT on `table` of `db` (snapshots or induction_snapshots): columns an older file lacks
// read as NULL (empty arrays).
std::string selectColumns(sqlite::Database& db, const std::string& table = "snapshots");

struct EncodedSnapshot {
    int step = 0, layers = 0, heads = 0, length = 0;
    std::vector<std::vector<std::uint8_t>> blobs; // tokens, per-head arrays, ..., attention, logits
    double sinkRate = 0, outLogitMax = 0, meanLogZ = 0;
    std::string mapEncoding = kMapEncoding; // of the two map blobs
};

// Throws attnscope::Error if an array's size disagrees with the snapshot's dimensions: a trainer bug is
// caught when the snapshot is written, not when somebody opens the run months later.
EncodedSnapshot encode(const ProbeSnapshot& snapshot);
void bind(sqlite::Statement& insert, const EncodedSnapshot& encoded);
// Decodes the current row of a SELECT kColumns; validates every size against the stored dimensions.
// Masked logits come back as NaN, masked attention as exactly 0.
// Without `maps` the attention and logit maps are not decoded (left empty): curve views need only metrics.
ProbeSnapshot decode(const sqlite::Statement& row, const std::string& what, bool maps = true);

} // namespace attnscope::snapshotcodec
