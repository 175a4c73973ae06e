#pragma once
// Appends a run's records to its .attnrun file. Every public call is one short SQLite transaction in WAL
// mode: a process killed at any moment leaves a file that opens with everything committed before the kill,
// and RunReader instances (in this or another process) can read while the writer works. One writer per
// file: a RunWriter holds the file's WriterLock (writer_lock.h) for its lifetime, so a second writer —
// another `train --force`, `resume` or app session — is refused at once with a message naming the holder.
#include "core/store/run_file.h"
#include "core/store/writer_lock.h"
#include "core/train/telemetry.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace attnscope {

namespace sqlite {
class Database;
}

class RunWriter {
public:
    enum class IfExists { Fail, Overwrite };

    // Creates a new run file. Throws attnscope::Error if the file exists (unless IfExists::Overwrite), if
    // another writer holds it (even with Overwrite), if the folder is missing or not writable, or if the disk
    // is full; a failed create leaves no file behind.
    static RunWriter create(const std::string& path, RunHeader header, IfExists ifExists = IfExists::Fail);
    // Opens an existing run to append to it (resuming). Throws attnscope::Error if it is not a run this
    // version can write, is damaged, or is being written by another writer.
    static RunWriter openForAppend(const std::string& path);

    RunWriter(RunWriter&&) noexcept;
    RunWriter& operator=(RunWriter&&) noexcept;
    ~RunWriter();

    const std::string& path() const;

    // Records with a step that is already stored replace it (a resumed run redoes the steps after its
    // checkpoint); events and status changes are always appended.
    void appendSteps(const std::vector<StepRecord>& steps);
    void appendSnapshot(const ProbeSnapshot& snapshot);
    void appendEvent(const Event& event);
    void appendEval(const EvalRecord& eval);
    void saveCheckpoint(int step, const std::vector<std::uint8_t>& safetensors);
    void setStatus(RunStatus status, int step, const std::string& message = {});
    // Writes a batch of telemetry in ONE transaction (all or nothing).
    void write(const std::vector<TelemetryMessage>& messages);
    // Deletes steps, snapshots, events, evals and checkpoints after `step` (resuming from an earlier
    // checkpoint) and bumps the rewind counter that RunReader::poll reports to followers.
    void truncateAfter(int step);
    // A meta key/value (e.g. a fork's parent_run / parent_step); replaces an existing value.
    void setMeta(const std::string& key, const std::string& value);

private:
    RunWriter(std::string path, WriterLock lock, std::unique_ptr<sqlite::Database> db);
    std::string m_path;
    WriterLock m_lock; // released after the database is closed (declared first, destroyed last)
    std::unique_ptr<sqlite::Database> m_db;
};

} // namespace attnscope
