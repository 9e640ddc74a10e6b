"""Running our coroutines from blocking code, including inside a running event loop.

Each thread keeps one event loop for all its blocking calls (summarize, build_digest). A new
loop per call (asyncio.run) would also mean a new client, a new connection and a new thread
pool per call: the loop is what lets one call's client serve the next (model/pool.py keeps
one client pool per loop).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import inspect
import os
import threading
import weakref
from collections.abc import Callable, Coroutine
from typing import Any, ParamSpec, TypeVar

T = TypeVar("T")
P = ParamSpec("P")

_local = threading.local()


def _forget_after_fork() -> None:
    # A forked child must not reuse the parent's loop, epoll and keep-alive connections.
    global _local
    _local = threading.local()


os.register_at_fork(after_in_child=_forget_after_fork)


def _runner() -> asyncio.Runner:
    runner: asyncio.Runner | None = getattr(_local, "runner", None)
    if runner is None:
        runner = _local.runner = asyncio.Runner()
        # Closed when its thread ends (or at exit): shutting the loop's async generators
        # down closes its pooled clients (model/pool.py). A weak reference: a finished
        # thread's loop is not kept alive for the rest of the process.
        weakref.finalize(threading.current_thread(), runner.close)
    return runner


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run coro to completion and return its result, blocking the caller. On this thread's
    own loop (asyncio.Runner: Ctrl-C cancels the coroutine, then raises KeyboardInterrupt);
    inside a running loop (Jupyter), on a fresh loop in a worker thread, since a running
    loop cannot be re-entered."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        inside_a_loop = False
    else:
        inside_a_loop = True
    if not inside_a_loop:
        # Run outside the except block: an error from the call would otherwise be shown
        # "during handling of" RuntimeError('no running event loop'), which is no cause.
        return _runner().run(coro)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def blocking(
    coroutine_function: Callable[P, Coroutine[Any, Any, T]], name: str, summary: str
) -> Callable[P, T]:
    """The blocking form of an async entry point: the same arguments (its signature, for
    help() and type checkers alike), run with run_sync, so usable inside a running loop too.

    Args:
        coroutine_function: the async form.
        name: the blocking form's name.
        summary: its docstring's first paragraph; the rest (arguments, returns, raises) is
            the async form's, never written twice.
    """

    @functools.wraps(coroutine_function)
    def call(*args: P.args, **kwargs: P.kwargs) -> T:
        return run_sync(coroutine_function(*args, **kwargs))

    details = inspect.cleandoc(coroutine_function.__doc__ or "").partition("\n\n")[2]
    call.__name__ = call.__qualname__ = name
    call.__doc__ = f"{summary}\n\n{details}" if details else summary
    return call
