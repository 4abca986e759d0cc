"""Analysis where a crash, a stall or a memory blow-up costs one file, never the caller.

Pull requests are hostile input. ``parsing`` turns known parser bombs away,
but nobody knows every shape that makes a native parser segfault, loop or
allocate gigabytes. So every file is analysed in a child process, one file
at a time, under a wall-clock limit (the parent kills the child) and a memory
limit (``RLIMIT_AS``, raised for each file from what the child already uses).
A file that breaks its child becomes a ``Failure`` ("not analysed: ..."), the
child is replaced, and the other files go on.

Children live as long as the ``Sandbox``: a batch's shared state (the
commit's files, the configuration) is sent once per child and built there by
``setup``; after that each file costs one round-trip on a pipe.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

try:
    import resource
except ImportError:  # not Unix: no memory limit per file
    resource = None  # type: ignore[assignment]

_MB = 1024 * 1024
_RECURSION_LIMIT = 12_000


@dataclass(frozen=True)
class Limits:
    """What one file's analysis may take; both are settings (bot: FILE_TIMEOUT_SECONDS, FILE_MEMORY_MB)."""

    seconds: float = 60.0  # generous: the first file of a big project also parses the modules it reads for context
    memory_mb: int = 2048  # address space a file may add to what its process already maps

    def __post_init__(self) -> None:
        if self.seconds <= 0 or self.memory_mb <= 0:
            raise ValueError("file limits must be positive")


@dataclass(frozen=True)
class Failure:
    """Why one item was not analysed, in words for the review and the report."""

    reason: str


@dataclass
class Batch:
    """Items that share state: ``setup(*args)`` runs once per child and its result is handed to
    ``work(state, item)`` for each item. Both must be module-level functions (they are pickled)."""

    setup: Callable[..., Any]
    args: tuple[Any, ...]
    work: Callable[[Any, Any], Any]
    items: Sequence[Any]


class PoolBroken(RuntimeError):
    """Children die before they take any work: the machine, not a file, is at fault."""


@dataclass
class _Child:
    process: Any  # multiprocessing.process.BaseProcess
    conn: multiprocessing.connection.Connection
    batch: tuple[int, int] | None = None  # (run, batch) whose state the child holds
    task: tuple[int, int] | None = None  # (batch, item) being analysed
    deadline: float = 0.0
    answered: int = 0


_STILLBORN = object()  # a child that exited normally before its first answer: requeue, blame no file


@dataclass
class Sandbox:
    """Up to ``workers`` child processes analysing items under ``limits``.

    ``method`` is the multiprocessing start method (by default ``fork`` in a one-thread process on Linux,
    else ``forkserver``: forking a threaded process could copy a held lock); ``preload`` names
    modules the fork server imports once, so a replacement child starts in milliseconds.
    """

    workers: int
    limits: Limits = field(default_factory=Limits)
    method: str | None = None
    preload: tuple[str, ...] = ()
    _children: list[_Child] = field(default_factory=list)
    _ctx: Any = None
    _runs: int = 0

    def __post_init__(self) -> None:
        self.workers = max(1, self.workers)
        self._ctx = multiprocessing.get_context(self.method or _start_method())
        if self.preload and self._ctx.get_start_method() == "forkserver":
            self._ctx.set_forkserver_preload(list(self.preload))

    def run(self, batches: Sequence[Batch]) -> Iterator[tuple[int, int, Any]]:
        """Yield ``(batch index, item index, result or Failure)`` as items finish, in no fixed order."""
        pending = deque((b, i) for b, batch in enumerate(batches) for i in range(len(batch.items)))
        self._runs += 1  # a child's state belongs to one run's batch; a later run sets it up again
        stillborn = 0

        def requeue(task: tuple[int, int]) -> None:
            """A child died of something other than this file (before taking it, or before any answer)."""
            nonlocal stillborn
            pending.appendleft(task)
            stillborn += 1
            if stillborn > 3 * self.workers:
                raise PoolBroken("analysis processes die before they analyse anything")

        try:
            while pending or any(c.task for c in self._children):
                self._reap_idle()
                while pending and (idle := self._idle_child()) is not None:
                    task = pending.popleft()
                    if not self._assign(idle, batches, task):
                        requeue(task)
                for child, task, outcome in self._collect():
                    child.task = None
                    if outcome is _STILLBORN:
                        requeue(task)
                        continue
                    child.answered += 1
                    yield task[0], task[1], outcome
        except BaseException:
            self.close()  # a caller that stops early (or ^C) leaves no child busy with stale work
            raise

    def close(self) -> None:
        """Stop every child (idle ones politely, busy ones at once)."""
        for child in self._children:
            if child.task is None:
                try:
                    child.conn.send(None)
                except OSError:
                    pass
        for child in self._children:
            if child.task is None:
                child.process.join(timeout=2)
            if child.process.is_alive():
                child.process.kill()
                child.process.join(timeout=2)
            child.conn.close()
        self._children.clear()

    # --- children ------------------------------------------------------------------------
    def _idle_child(self) -> _Child | None:
        for child in self._children:
            if child.task is None:
                return child
        if len(self._children) < self.workers:
            parent, mine = self._ctx.Pipe()
            process = self._ctx.Process(target=_child_main, args=(mine, self.limits.memory_mb), daemon=True,
                                        name="auth-review-analysis")
            process.start()
            mine.close()
            child = _Child(process, parent)
            self._children.append(child)
            return child
        return None

    def _reap_idle(self) -> None:
        """Forget idle children that have exited (after a MemoryError a child leaves on purpose)."""
        for child in [c for c in self._children if c.task is None and not c.process.is_alive()]:
            self._discard(child)

    def _discard(self, child: _Child) -> None:
        if child.process.is_alive():
            child.process.kill()
        child.process.join(timeout=5)
        child.conn.close()
        self._children.remove(child)

    def _assign(self, child: _Child, batches: Sequence[Batch], task: tuple[int, int]) -> bool:
        b, i = task
        batch = batches[b]
        key = (self._runs, b)
        message = (key if child.batch == key else (key, batch.setup, batch.args), batch.work, batch.items[i])
        try:
            child.conn.send(message)
        except (OSError, EOFError):
            self._discard(child)
            return False
        child.batch, child.task = key, task
        child.deadline = time.monotonic() + self.limits.seconds * (1 if message[0] is key else 2)
        return True

    def _collect(self) -> Iterator[tuple[_Child, tuple[int, int], Any]]:
        """Wait for busy children until one answers, dies or runs out of time."""
        busy = [(c, c.task) for c in self._children if c.task is not None]
        if not busy:
            return
        timeout = max(0.0, min(c.deadline for c, _ in busy) - time.monotonic())
        ready = set(multiprocessing.connection.wait([c.conn for c, _ in busy], timeout=timeout))
        now = time.monotonic()
        for child, task in busy:
            if child.conn in ready:
                try:
                    kind, value = child.conn.recv()
                except (EOFError, OSError):
                    child.process.join(timeout=5)
                    code = child.process.exitcode
                    self._discard(child)
                    if child.answered == 0 and code is not None and code >= 0:
                        yield child, task, _STILLBORN
                    else:
                        yield child, task, Failure(_death(code, self.limits))
                    continue
                if kind == "memory":
                    self._discard(child)  # its heap is in an unknown state: a fresh child takes the next file
                    yield child, task, Failure(f"not analysed: needed more than the {self.limits.memory_mb:,} MB "
                                         "memory limit per file")
                elif kind == "error":
                    yield child, task, Failure(f"internal error: {value}")
                else:
                    yield child, task, value
            elif now >= child.deadline:
                self._discard(child)
                yield child, task, Failure(f"not analysed: took longer than the {self.limits.seconds:g}-second limit per file")


def _start_method() -> str | None:
    """``fork`` where it is cheap and safe (Linux, one thread: nothing can hold a lock the child inherits),
    else ``forkserver`` where there is one, else the platform's default."""
    if sys.platform == "linux" and threading.active_count() == 1:
        return "fork"
    return "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else None


def _death(exitcode: int | None, limits: Limits) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        if name in ("SIGKILL", "SIGABRT"):
            return (f"not analysed: the analysis process was stopped ({name}): it crashed or passed the "
                    f"{limits.memory_mb:,} MB memory limit per file")
        return f"not analysed: the parser crashed on this file ({name})"
    return f"not analysed: the analysis process exited (code {exitcode})"


# --- inside the child ---------------------------------------------------------------------

def _child_main(conn: multiprocessing.connection.Connection, memory_mb: int) -> None:
    """Serve items until the parent sends None or goes away."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # ^C is the parent's to handle
    _silence_native_stderr()
    # libcst prints and measures trees recursively, a few frames per level: the depths ``parsing`` admits
    # need more than the default 1,000 (a C stack overflow beyond would cost this child, not the caller).
    sys.setrecursionlimit(max(sys.getrecursionlimit(), _RECURSION_LIMIT))
    state: Any = None
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        head, work, item = message
        limit = _memory_limit(memory_mb)
        with limit:
            try:
                if len(head) == 3:
                    _, setup, args = head
                    state = None  # the previous batch's state is freed before the next is built
                    state = setup(*args)
                reply: tuple[str, Any] = ("ok", work(state, item))
            except MemoryError:
                reply = ("memory", None)
            except Exception as exc:  # a bug in our code: the item's entry says so, the child lives on
                reply = ("error", f"{type(exc).__name__}: {str(exc)[:300]}")
        if limit.reached():
            reply = ("memory", None)  # a native parser may turn a failed allocation into a "syntax error"
        try:
            conn.send(reply)
        except (OSError, ValueError):
            return
        if reply[0] == "memory":
            return


def _silence_native_stderr() -> None:
    """A native parser dying of a failed allocation prints its backtrace to fd 2; the parent reports the file
    in its own structured log instead."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)
    except OSError:
        pass


class _memory_limit:
    """``RLIMIT_AS`` lowered to what the process maps now plus ``memory_mb``, restored on exit (Linux; a no-op
    where the resource module or /proc is missing)."""

    def __init__(self, memory_mb: int) -> None:
        self.extra = memory_mb * _MB
        self.saved: tuple[int, int] | None = None
        self.limit = 0
        self.peak_before = 0

    def __enter__(self) -> None:
        if resource is None:
            self.saved = None
            return
        try:
            with open("/proc/self/statm") as statm:
                mapped = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
            soft, hard = resource.getrlimit(resource.RLIMIT_AS)
            wanted = mapped + self.extra
            if hard != resource.RLIM_INFINITY:
                wanted = min(wanted, hard)
            self.peak_before = _peak()
            resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))
            self.saved, self.limit = (soft, hard), wanted
        except (OSError, ValueError):
            self.saved = None

    def reached(self) -> bool:
        """This item took its process to within a tenth of the limit: an allocation near there failed (or
        nearly did), whatever the code that caught the failure made of it."""
        if not self.limit:
            return False
        peak = _peak()
        return peak > self.peak_before and peak >= self.limit * 0.9

    def __exit__(self, *exc: object) -> None:
        if self.saved is not None and resource is not None:
            resource.setrlimit(resource.RLIMIT_AS, self.saved)


def _peak() -> int:
    """The most address space this process has ever mapped (``VmPeak``), in bytes; 0 where unknown."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmPeak:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0
