"""Two independent steps over a large table, run side by side.

The engine's heavy steps are whole-array operations (NumPy arithmetic, ``numpy.bincount``,
``numpy.take``, pandas' hash-table factorisation) that release the global interpreter lock, so
on a machine with more than one core two of them can run at the same time on two threads.
:func:`both` runs two such steps together when the table is large enough for it to pay off,
and one after the other otherwise.  Each step computes exactly what it computes alone, so the
results are the same to the last bit either way; only the wall time changes.

The number of threads is at most two (the engine never has more than two independent steps in
hand) and at most the number of CPUs.  Set the environment variable ``GPCOLLAB_NUM_THREADS=1``
to run everything on the calling thread.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

__all__ = ["PARALLEL_MIN_ROWS", "both", "threads"]

A = TypeVar("A")
B = TypeVar("B")

PARALLEL_MIN_ROWS = 200_000
"""Tables with fewer rows run on the calling thread: below this, starting a step on another
thread costs about what it saves."""

_pool: ThreadPoolExecutor | None = None
_pool_pid = -1
_worker = threading.local()
"""``_worker.busy`` is set on the pool's thread while it runs a step: a step that itself
calls :func:`both` then runs its halves in turn instead of waiting on its own thread."""


def threads() -> int:
    """The number of threads :func:`both` may use: 1 or 2.

    Returns
    -------
    int
        2 on a machine with several CPUs, unless ``GPCOLLAB_NUM_THREADS`` is ``1`` (or ``0``).
    """
    setting = os.environ.get("GPCOLLAB_NUM_THREADS", "").strip()
    if setting.isdigit() and int(setting) <= 1:
        return 1
    return 2 if (os.cpu_count() or 1) > 1 else 1


def _executor() -> ThreadPoolExecutor:
    """The module's one-thread pool (made again in a forked child, whose copy has no thread)."""
    global _pool, _pool_pid
    if _pool is None or _pool_pid != os.getpid():
        _pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gpcollab")
        _pool_pid = os.getpid()
    return _pool


def both(first: Callable[[], A], second: Callable[[], B], *, rows: int) -> tuple[A, B]:
    """``(first(), second())``, run side by side when ``rows`` is large.

    Errors come out as they would one after the other: if ``first`` raises, its error is
    raised (after ``second`` has finished, whatever it did); otherwise an error of ``second``
    is raised.

    Parameters
    ----------
    first, second : callable
        Independent steps without arguments; neither may depend on the other's effects.
    rows : int
        The size of the table they work on; below :data:`PARALLEL_MIN_ROWS` the two run one
        after the other on the calling thread.

    Returns
    -------
    tuple
        The results of ``first`` and ``second``.

    Examples
    --------
    >>> both(lambda: 1 + 1, lambda: "two", rows=10)
    (2, 'two')
    """
    if rows < PARALLEL_MIN_ROWS or threads() < 2 or getattr(_worker, "busy", False):
        return first(), second()
    future = _executor().submit(_on_worker, second)
    try:
        result = first()
    except BaseException:
        future.exception()  # wait for it, so nothing runs on after the error
        raise
    return result, future.result()


def _on_worker(step: Callable[[], B]) -> B:
    _worker.busy = True
    try:
        return step()
    finally:
        _worker.busy = False
