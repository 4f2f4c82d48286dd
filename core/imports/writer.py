"""Writing an import's batches while the next rows are being parsed.

On PostgreSQL most of an import's time is the server inserting rows and updating
indexes. A BatchWriter hands each batch to one worker thread that uses the same
database connection (so the same transaction), and returns at once, so the
server writes batch N while Python parses batch N + 1. At most one batch is in
flight, so the connection is used by one thread at a time. The engine waits for
the batch in flight before it submits the next one or touches the database
itself. An importer that queries the database while parsing must wait too
(Importer.wait_for_writes).
"""

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from django.db import DEFAULT_DB_ALIAS, connections


class BatchWriter:
    """Run `write` on batches, one at a time, in order, in a worker thread, and
    call `done(items, results)` in the calling thread when each one finishes."""

    def __init__(self, write: Callable, done: Callable, *, background: bool):
        self._write = write
        self._done = done
        self._in_flight: tuple[list, Future] | None = None
        self._executor = None
        self._connection = None
        if background:
            self._connection = connections[DEFAULT_DB_ALIAS]
            self._connection.inc_thread_sharing()
            self._executor = ThreadPoolExecutor(
                max_workers=1,
                thread_name_prefix="import-writer",
                initializer=_use_connection,
                initargs=(self._connection,),
            )

    def submit(self, batch: list, items: list | None = None) -> None:
        """Write `batch` (a list the caller no longer changes), in the background
        when the writer has a worker thread. `items` (default: the batch) are
        what `done` receives with the results."""
        self.wait()
        items = batch if items is None else items
        if self._executor is None:
            self._done(items, self._write(batch))
            return
        self._in_flight = (items, self._executor.submit(self._write, batch))

    def wait(self) -> None:
        """Wait for the batch in flight, if any, and report its results. An
        exception raised while writing it is raised here."""
        if self._in_flight is None:
            return
        items, future = self._in_flight
        self._in_flight = None
        self._done(items, future.result())

    def close(self) -> None:
        """Stop the worker thread after the batch in flight, without reporting
        it (callers that want its results call wait() first)."""
        if self._executor is None:
            return
        self._in_flight = None
        self._executor.shutdown(wait=True)
        self._executor = None
        self._connection.dec_thread_sharing()


def _use_connection(connection) -> None:
    # The worker thread would otherwise open a connection of its own, outside
    # the import's transaction.
    connections[DEFAULT_DB_ALIAS] = connection
