"""COPY lines of new accounts formatted in a child process.

An import into an empty registry on PostgreSQL spends about a fifth of its
Python CPU time turning records into COPY lines (zone, search text,
escaping). In one process that work shares the interpreter lock with parsing
the next rows. A child forked after the import's lookups are loaded formats
each batch on the other core, when one is free, and the import's process only
pickles the records. Estimates from timeit on the 2-core development machine:
about 2 µs per record to pickle, about 7 µs to format.

Forking copies only the calling thread, so a process whose other threads may
hold locks (a web server running the import in a thread) keeps formatting in
process: see fork_is_safe(). So does a process on a busy machine, where the
child only competes with the parser and the server for the cores: see
core_is_idle().
"""

import logging
import multiprocessing
import os
import threading
from collections.abc import Callable

logger = logging.getLogger(__name__)

# format_lines(first_key, records) returns the COPY text of `records`, keyed
# from first_key upwards.
LineFormatter = Callable[[int, list], str]


def fork_is_safe() -> bool:
    """Return True when the process runs no thread but the calling main thread,
    as in a management command."""
    return (
        threading.current_thread() is threading.main_thread()
        and threading.active_count() == 1
    )


def core_is_idle() -> bool:
    """Return True when the 1-minute load average leaves at least one core
    idle for the child.

    NOTE: measured on a 2-core machine whose load average was 3 to 4 from
    other work, three alternating in-process imports of 200,000 rows took
    17.4 to 20.7 s with the child against 15.0 to 18.8 s without it. On an
    idle machine the gain is an estimate, not a measurement: at most the
    0.7 s of Python CPU time that the child takes off the parser's process.
    """
    return os.getloadavg()[0] < (os.cpu_count() or 1) - 1


class LineProcess:
    """A forked child that runs `format_lines` on the batches sent to it, one at
    a time. The child gets the parent's memory as it was at the fork, so
    `format_lines` may use lookups loaded before, but never the database
    connection, which stays the parent's."""

    def __init__(self, format_lines: LineFormatter):
        context = multiprocessing.get_context("fork")
        self._connection, child_end = context.Pipe()
        self._process = context.Process(
            target=_serve,
            args=(format_lines, child_end, self._connection),
            name="registry-copy-lines",
            daemon=True,
        )
        self._process.start()
        child_end.close()

    def send(self, first_key: int, records: list) -> None:
        """Hand `records` to the child, which formats them while the caller
        goes on. Raises OSError when the child is gone."""
        self._connection.send((first_key, records))

    def receive(self) -> str:
        """Wait for the COPY text of the records sent last. Raises EOFError or
        OSError when the child is gone (it died, or raised while formatting)."""
        return self._connection.recv()

    def close(self) -> None:
        """Stop the child and wait for it."""
        try:
            self._connection.send(None)
        except OSError:
            pass
        self._connection.close()
        self._process.join(timeout=5)
        if self._process.is_alive():
            logger.warning("COPY line process %s did not stop", self._process.pid)
            self._process.kill()
            self._process.join()


def _serve(format_lines: LineFormatter, connection, parent_end) -> None:
    # The parent's end was copied by the fork. Closing it here makes recv()
    # raise EOFError once the parent closes its own end or exits.
    parent_end.close()
    while True:
        try:
            request = connection.recv()
        except EOFError:
            return
        if request is None:
            return
        first_key, records = request
        connection.send(format_lines(first_key, records))
