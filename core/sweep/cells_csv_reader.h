#pragma once
// Reads a sweep folder's summary_cells.csv (written by `attnscope-cli sweep`, core/sweep/sweep_summary.cpp
// cellsCsv) back into CellResults, for sweeps whose run files are not there (the shipped lr-sensitivity sweep
// keeps only its summaries: the 75 run files would be ≈ 750 MB).
#include "core/sweep/sweep_summary.h"

#include <map>
#include <string>

namespace attnscope {

// Cell id → its result. Throws attnscope::Error naming the file and line when it is not a cells summary.
std::map<std::string, CellResult> readCellsCsv(const std::string& path);

} // namespace attnscope
