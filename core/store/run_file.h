#pragma once
// A run is one SQLite database file, `<name>.attnrun`, holding the run's header, every step record, probe
// snapshots, events, evaluations, status changes and checkpoints. docs/run-format.md describes the schema
// and the blob encodings; RunWriter (run_writer.h) writes it, RunReader (run_reader.h) reads it, also while
// another process is writing, and RunRecorder (run_recorder.h) feeds a writer from the telemetry bus.
#include "core/probe/snapshot.h"

#include <cstdint>
#include <string>
#include <vector>

namespace attnscope {

inline constexpr const char* kRunFileExtension = ".attnrun";
// The schema this build writes, and the newest it can read. See "Versioning" in docs/run-format.md.
inline constexpr int kRunSchemaVersion = 3;
// The oldest reader schema that can read what this build writes: schemas 2 and 3 only added tables
// (step_scalars; schema 3: induction_snapshots) and columns (schema 3: run.model_json and the head scores),
// so schema-1 readers still read our files.
inline constexpr int kMinReaderSchema = 1;
// Value of meta.app that marks a SQLite file as an AttnScope run.
inline constexpr const char* kRunAppMarker = "attnscope";
// SQLite's application_id (the big-endian 32-bit word at byte offset 68 of the file): ASCII "AtSc". New run
// files carry it so that file-type detection (shared-mime-info, libmagic) tells them from other SQLite
// databases; readers do not require it (files written before it have 0). docs/run-format.md, "File type".
inline constexpr std::uint32_t kRunApplicationId = 0x41745363u;

// Fixed facts about a run, written once when the file is created.
struct RunHeader {
    std::string specJson; // the full RunSpec as JSON text (written by the caller, stored verbatim)
    std::string
        appVersion; // AttnScope version that created the run; RunWriter fills ATTNSCOPE_VERSION if empty
    std::string corpusName;
    std::string corpusHash;
    std::string tokenizerJson;
    std::vector<std::int32_t> probeTokens;
    std::string probeText;
    std::string description;
    std::string createdAt; // ISO-8601 UTC, e.g. "2024-05-01T12:34:56Z"; RunWriter fills "now" if empty
    // The recorded model's description (core/model/model_description.h), JSON text; "" (stored as NULL)
    // when the run has none — files before schema 3, and engine runs, whose spec describes their model.
    std::string modelJson;
};

// One entry of the run's status history; the last one is the current status.
struct StatusRecord {
    RunStatus status = RunStatus::Created;
    int step = 0;
    std::string message;   // reason for Failed / Diverged / Stopped
    std::string at;        // ISO-8601 UTC time it was recorded
    std::string rawStatus; // the stored name when status is Unknown
    std::string statusName() const { return status == RunStatus::Unknown ? rawStatus : toString(status); }
};

// Current time as ISO-8601 UTC with seconds, "YYYY-MM-DDTHH:MM:SSZ".
std::string isoUtcNow();

} // namespace attnscope
