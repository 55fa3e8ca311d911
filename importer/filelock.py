"""A lock file: one process at a time (one service per inbox), or shared by several.

The lock is ``fcntl.flock`` on POSIX and ``msvcrt.locking`` on Windows, taken without
blocking and retried until a timeout. The file is owner-only (0600, whatever the umask) and
holds the owner's pid while locked exclusively, so a refusal can say who holds it. A shared
lock (the journal's: its processes share it, and a previous version of the importer, which
took it exclusively, is kept out) writes no pid; Windows has no shared lock, so there a
shared lock is not taken at all. The lock is released
by :meth:`FileLock.release` (or leaving the ``with`` block) and by the kernel when the
process dies; the file itself stays (removing it would race with a process waiting for it).
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt
else:
    import fcntl

_LOCK_BYTE = 1 << 20  # Windows locks this byte, so the pid at offset 0 stays readable
_OWNER_ONLY = sys.platform != "win32"


def owner_only(path: Path) -> None:
    """Make a file readable and writable by its owner only (POSIX; a no-op on Windows)."""
    if _OWNER_ONLY:
        with contextlib.suppress(FileNotFoundError, PermissionError):
            os.chmod(path, 0o600)


class FileLock:
    """A lock on ``path``, exclusive or ``shared`` with other shared holders; a context manager.

    ``busy(pid)`` builds the exception raised when another process (or another FileLock
    in this one) still holds the lock after ``timeout`` seconds; ``pid`` is the holder's
    pid as written in the file, "" when unknown. ``timeout=0`` tries once.
    """

    def __init__(
        self,
        path: Path,
        *,
        busy: Callable[[str], Exception],
        timeout: float = 0.0,
        shared: bool = False,
    ) -> None:
        self.path = Path(path)
        self.timeout = timeout
        self.shared = shared
        self._busy = busy
        self._fd: int | None = None

    @property
    def locked(self) -> bool:
        """Whether this object holds the lock."""
        return self._fd is not None

    def acquire(self) -> None:
        """Take the lock and write our pid; raise ``busy(pid)`` on timeout; returns nothing.

        An OSError (the file cannot be created or opened) is left to the caller.
        """
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        owner_only(self.path)
        deadline = time.monotonic() + max(self.timeout, 0.0)
        try:
            self._wait_for(fd, deadline)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        if self.shared:
            return
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, f"{os.getpid()}\n".encode())

    def _wait_for(self, fd: int, deadline: float) -> None:
        while not _try_lock(fd, self.shared):
            if time.monotonic() >= deadline:
                raise self._busy(_read_pid(fd))
            time.sleep(min(0.05, max(deadline - time.monotonic(), 0.001)))

    def release(self) -> None:
        """Clear the pid and release the lock; idempotent."""
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        with contextlib.suppress(OSError):
            if not self.shared:
                os.ftruncate(fd, 0)
            _unlock(fd, self.shared)
        os.close(fd)

    def __enter__(self) -> FileLock:
        self.acquire()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()

    def __repr__(self) -> str:
        state = "locked" if self.locked else "unlocked"
        return f"FileLock({str(self.path)!r}, {state})"


def _try_lock(fd: int, shared: bool) -> bool:
    try:
        if sys.platform == "win32":  # pragma: no cover
            if not shared:
                os.lseek(fd, _LOCK_BYTE, os.SEEK_SET)
                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        else:
            fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
    except (BlockingIOError, PermissionError):  # held by another open of the file
        return False
    return True


def _unlock(fd: int, shared: bool) -> None:
    if sys.platform == "win32":  # pragma: no cover
        if shared:
            return
        os.lseek(fd, _LOCK_BYTE, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)


def _read_pid(fd: int) -> str:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        text = os.read(fd, 32).decode("ascii", "replace").strip()
    except OSError:
        return ""
    return text if text.isdigit() else ""
