"""Make the seeder's rows in a second process while this one writes them (issue 14).

Drawing the records and building their rows is about two thirds of the seeder's work, writing the
other third; both are CPU-bound, so on two cores they overlap. The child is forked (it inherits the
loaded knowledge base, the clinic and the record streams as they are), runs the same code in the
same order as the single-process path — the same seed gives the same rows — and sends each write
batch's rows through a pipe. A pipe holds one batch at a time: the child draws at most one batch
ahead (constant memory). It never touches the database: the parent's connection is not its own,
and a query would raise.
"""

from __future__ import annotations

import gc
import multiprocessing
import traceback
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from django.db import connection

T = TypeVar("T")


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def _refuse(*args: Any) -> None:
    raise RuntimeError("the seeder's generating process must not use the database connection it inherited")


def _produce(make: Callable[[], Iterator[Any]], send: Connection) -> None:
    try:
        with connection.execute_wrapper(_refuse):
            for item in make():
                send.send(("item", item))
        send.send(("done", None))
    except BaseException as error:  # noqa: BLE001 — every failure goes to the parent, which raises it
        try:
            send.send(("error", error))
        except Exception:  # noqa: BLE001 — an exception that does not pickle: its text
            send.send(("error", RuntimeError(traceback.format_exc())))
    finally:
        send.close()


def produced(make: Callable[[], Iterator[T]], *, fork: bool) -> Iterator[T]:
    """The items of `make()`, made in a forked child process when `fork` (and the platform forks),
    else here. An error in the child is raised here."""
    if not (fork and can_fork()):
        yield from make()
        return
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_produce, args=(make, send), name="dryneedling-seed-rows", daemon=True)
    gc.freeze()  # the parent's objects: the child's collections neither traverse nor copy them (Python's gc docs)
    try:
        child.start()
    finally:
        gc.unfreeze()
    send.close()  # the child's end: EOF here when the child is gone
    done = False
    try:
        while True:
            try:
                kind, item = receive.recv()
            except EOFError:
                child.join()
                raise RuntimeError(f"the seeder's generating process stopped (exit code {child.exitcode})") from None
            if kind == "item":
                yield item
                continue
            done = True
            if kind == "error":
                raise item
            return
    finally:
        receive.close()
        if not done:  # the parent stopped early (an error while writing): the child may be blocked on the pipe
            child.terminate()
        child.join()
