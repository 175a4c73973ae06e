"""A worker thread that runs a writer's jobs in order, off the training loop (the engine's recorder thread,
core/run/run_driver.h, does the same). The training thread captures what must be captured at the step (the
probe's maps, copies of the weights) and hands the rest — metrics, compression, SQLite — to this worker.
zlib, SQLite and numpy's large array operations release the GIL, so the work overlaps training.

Jobs run first in, first out, so rows land in the order they were recorded. At most `max_pending` jobs
wait; a training loop that records faster than the disk takes it waits in submit() rather than growing
memory without bound. A job's exception is kept and raised from the next submit() or from close(), so a
full disk reaches the training loop as an error instead of vanishing in a thread; later jobs still run
(each is one transaction), so a disk that frees up again loses only what failed."""
import queue
import threading
import time

_STOP = object()


class BackgroundJobs:
    def __init__(self, name="attnscope recorder", max_pending=4):
        self._queue = queue.Queue(maxsize=max_pending)
        self._error = None
        self.busy_seconds = 0.0  # wall time the worker spent on jobs
        self.wait_seconds = 0.0  # wall time submit() waited for room in the queue
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self):
        while True:
            job = self._queue.get()
            try:
                if job is _STOP:
                    return
                t0 = time.perf_counter()
                try:
                    job()  # each job is one transaction: a failed one leaves the file as it was
                except BaseException as e:  # noqa: BLE001 — handed to the training thread
                    if self._error is None:
                        self._error = e
                self.busy_seconds += time.perf_counter() - t0
            finally:
                self._queue.task_done()

    def raise_pending_error(self):
        if self._error is not None:
            e, self._error = self._error, None
            raise e

    def submit(self, job):
        """Queues job() behind the earlier ones; raises the error of an earlier job, if one failed."""
        self.raise_pending_error()
        if not self._thread.is_alive():
            raise RuntimeError("the recorder's writer thread has stopped")
        t0 = time.perf_counter()
        self._queue.put(job)
        self.wait_seconds += time.perf_counter() - t0

    def drain(self):
        """Waits until every queued job has run; raises the first error among them."""
        self._queue.join()
        self.raise_pending_error()

    def close(self):
        """Runs what is queued, stops the thread, and raises the first error among the jobs."""
        if self._thread.is_alive():
            self._queue.put(_STOP)
            self._thread.join()
        self.raise_pending_error()
