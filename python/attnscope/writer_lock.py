"""One writer per run file: the protocol shared with the engine (core/store/writer_lock.h).

* A writer holds flock(LOCK_EX | LOCK_NB) on the run file itself, through its own descriptor opened before
  SQLite opens the file, for its whole lifetime, and records meta `writer` = "pid N on HOST". A second
  writer (Python or C++) fails at once naming the holder.
* The run file is never deleted or renamed by a writer: creating over an existing run opens that same file,
  locks it, and only then truncates it and removes its -wal/-shm. Every writer of a path locks the same
  inode, so there is no window between checking the lock and creating the file.
* After locking, the writer checks that the path still names the inode it locked, and starts over if not.
* Only a regular file can be a run: a device, FIFO or socket at the path is refused.

Readers never take the lock; holder_pid() looks it up in /proc/locks."""
import fcntl
import os
import sqlite3
import stat

APP_MARKER = "attnscope"


class WriterLockedError(RuntimeError):
    """Another writer holds the run file."""


def holder_pid(path):
    """The pid holding a writer's lock on `path` (from /proc/locks, without touching the lock), or None."""
    try:
        st = os.stat(path)
        with open("/proc/locks") as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    device = f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}"
    for line in lines:
        # "3: FLOCK  ADVISORY  WRITE 847 fe:00:10978684 0 EOF"; waiters are marked "->"
        fields = line.split()
        if len(fields) >= 6 and fields[1] == "FLOCK" and fields[3] == "WRITE" and fields[5] == device:
            return fields[4]
    return None


def _recorded_writer(path):
    """The `writer` meta value of a run (best effort, for the error message), else its pid."""
    from .reader import connect_for_reading
    try:
        con = connect_for_reading(path)
        try:
            row = con.execute("SELECT value FROM meta WHERE key = 'writer'").fetchone()
        finally:
            con.close()
        if row and row[0]:
            return row[0]
    except Exception:  # noqa: BLE001 - only a message is at stake
        pass
    pid = holder_pid(path)
    return f"pid {pid}" if pid else "another process"


def _refuse_held(path):
    raise WriterLockedError(f"{path} is being written by {_recorded_writer(path)}; one run file has one writer "
                            "at a time. Wait until that run ends (or stop it), or write to another file.")


def _kind(mode):
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _refuse_kind(path, mode):
    raise OSError(f"Cannot write a run to {path}: it is {_kind(mode)}, and a run file must be a regular file. "
                  "Choose another output.")


def _open_locked(path, flags, create):
    for _ in range(10):
        try:
            before = os.stat(path)
            if not stat.S_ISREG(before.st_mode):
                _refuse_kind(path, before.st_mode)
        except FileNotFoundError:
            pass
        try:
            fd = os.open(path, flags | os.O_CLOEXEC | os.O_NONBLOCK, 0o644)
        except FileExistsError:
            raise FileExistsError(f"{path} already exists. Choose another name, or pass overwrite=True.") from None
        opened = os.fstat(fd)
        if not stat.S_ISREG(opened.st_mode):
            os.close(fd)
            _refuse_kind(path, opened.st_mode)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            _refuse_held(path)
        try:
            now = os.stat(path)
            same = (now.st_dev, now.st_ino) == (opened.st_dev, opened.st_ino)
        except FileNotFoundError:
            same = False
        if same:
            os.set_blocking(fd, True)
            return fd
        os.close(fd)  # the path was replaced while we locked: lock what it names now
        if not create:
            raise FileNotFoundError(f"{path} was removed while it was being opened for writing.")
    raise OSError(f"Cannot lock {path}: it keeps being replaced by another program.")


def _check_replaceable(path, fd):
    """An empty file, an AttnScope run, or a damaged SQLite file may be overwritten; nothing else."""
    if os.fstat(fd).st_size == 0:
        return
    magic = os.pread(fd, 16, 0)
    foreign = magic != b"SQLite format 3\x00"
    if not foreign:
        from .reader import connect_for_reading
        try:
            con = connect_for_reading(path)
            try:
                row = con.execute("SELECT value FROM meta WHERE key = 'app'").fetchone()
            finally:
                con.close()
            foreign = not row or row[0] != APP_MARKER
        except sqlite3.DatabaseError as e:
            foreign = "no such table" in str(e)  # unreadable: a damaged run is what overwrite is for
    if foreign:
        raise FileExistsError(f"{path} exists and is not an AttnScope run file; overwriting replaces only run "
                              "files. Choose another output, or delete that file yourself.")


def _remove_companions(path):
    for suffix in ("-wal", "-shm", "-journal"):
        try:
            os.remove(path + suffix)
        except FileNotFoundError:
            pass


def lock_new_run(path, overwrite):
    """Creates (or, with overwrite, takes over) the run file at `path` and locks it; returns the locked
    descriptor of an empty file without -wal/-shm."""
    fd = _open_locked(path, os.O_RDWR | os.O_CREAT | (0 if overwrite else os.O_EXCL), True)
    try:
        if overwrite:
            _check_replaceable(path, fd)
            _remove_companions(path)  # under the lock: nobody else writes this file now, nor can start to
            os.ftruncate(fd, 0)
    except BaseException:
        os.close(fd)
        raise
    return fd


def lock_existing_run(path):
    return _open_locked(path, os.O_RDWR, False)


def remove_locked_run(path):
    """Removes a half-created run while its lock is still held."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        try:
            os.remove(path + suffix)
        except OSError:
            pass


def raise_if_held(path):
    if holder_pid(path):
        _refuse_held(path)


