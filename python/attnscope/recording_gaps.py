"""The recorder's failure policy, the engine's (core/store/run_recorder.h): a failed write never stops the
training it records. Light records (steps, per-step scalars, events, evaluations) are kept and retried before
the next write; a probe snapshot or checkpoint whose write fails is dropped, since holding large maps for a disk
that stays full would exhaust memory instead. Whatever was dropped leaves a trace in the file: a "note" event
"recording gap: …" naming the lost steps and the cause, written with the next write that gets through
(docs/run-format.md, "Recording gaps"). The first failure of a streak is reported as a RuntimeWarning."""
import warnings

RECORDS, SNAPSHOT, CHECKPOINT = "records", "snapshot", "checkpoint"
MAX_RETRIED = 100_000  # record batches kept for retry while writes fail; older ones are given up (and named)


def describe_steps(steps):
    steps = sorted(set(steps))
    if len(steps) <= 8:
        return ", ".join(map(str, steps))
    return f"{steps[0]}–{steps[-1]} ({len(steps)} of them)"


class GuardedWrites:
    def __init__(self, append_event, path):
        self._append_event = append_event  # (step, kind, message), used for the gap note
        self._path = path
        self._retry = []  # (kind, steps, write) of record batches that failed
        self._lost = {SNAPSHOT: [], CHECKPOINT: [], RECORDS: []}
        self._cause = ""
        self._failing = False
        self.failures = 0  # writes that failed, for tests and reports

    def run(self, kind, steps, write):
        """Runs write() (after any records that wait for a retry); on failure applies the policy above."""
        pending = self._retry + [(kind, list(steps), write)]
        self._retry = []
        for i, (k, s, w) in enumerate(pending):
            try:
                w()
            except Exception as e:  # noqa: BLE001 — the policy decides; nothing propagates into training
                self._failed(e, pending[i:])
                return
        self._failing = False
        if any(self._lost.values()):
            self._write_gap_note()

    def _failed(self, error, unwritten):
        self.failures += 1
        self._cause = f"{type(error).__name__}: {error}"
        for k, s, w in unwritten:
            if k == RECORDS:
                self._retry.append((k, s, w))
            else:
                self._lost[k] += s
        while len(self._retry) > MAX_RETRIED:
            self._lost[RECORDS] += self._retry.pop(0)[1]
        if not self._failing:
            self._failing = True
            warnings.warn(f"AttnScope could not write to {self._path} ({self._cause}); training goes on, step "
                          "records are kept and retried, probe snapshots are dropped until writes succeed again "
                          "(the file gets a 'recording gap' note)", RuntimeWarning, stacklevel=2)

    def _write_gap_note(self):
        parts = []
        for kind, label in ((SNAPSHOT, "probe snapshots"), (CHECKPOINT, "checkpoints"), (RECORDS, "records")):
            if self._lost[kind]:
                parts.append(f" {label} of steps {describe_steps(self._lost[kind])} lost;")
        first = min(min(v) for v in self._lost.values() if v)
        try:
            self._append_event(first, "note", "recording gap:" + "".join(parts) + " cause: " + self._cause)
        except Exception:  # noqa: BLE001 — tried again after the next write that gets through
            return
        self._lost = {SNAPSHOT: [], CHECKPOINT: [], RECORDS: []}

    @property
    def cause(self):
        """The error of the latest failed write ("OperationalError: database or disk is full")."""
        return self._cause

    @property
    def unwritten_records(self):
        return sum(len(s) for _, s, _ in self._retry)
