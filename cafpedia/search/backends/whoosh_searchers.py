"""The Whoosh searchers of one process, shared by its threads.

A search holds a searcher from its first look at the index to its last snippet. When the
index has changed (another thread's or process's drain committed), the next search opens a
new searcher on the new version; the old one is closed when the last search holding it ends,
never under a search that is still reading it.

Whoosh's own `Searcher.refresh()` is not used: it closes the old searcher's readers at once
(whoever is still reading them gets ReaderClosed), and if a segment file vanishes while it
opens the new version (another process merging segments), its retry closes those readers a
second time and fails with ReaderClosed. A new searcher opened from the index has neither
trouble: Whoosh retries its opening with nothing to close.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable

from whoosh.reading import ReaderClosed


class _Held:
    """A searcher and how many searches hold it; retired once a newer one is current."""

    __slots__ = ("retired", "searcher", "users")

    def __init__(self, searcher):
        self.searcher, self.users, self.retired = searcher, 0, False


class Searchers:
    def __init__(self, open_index: Callable):
        self._open_index = open_index  # () -> the Whoosh index (its folder opened)
        self._lock = threading.Lock()
        self._current: _Held | None = None

    def acquire(self) -> _Held:
        """The searcher on the index's latest version, held until `release`."""
        with self._lock:
            current = self._current
            if current is None or not current.searcher.up_to_date():
                searcher = self._open_index().searcher()
                if current is not None:
                    self._retire(current)
                current = self._current = _Held(searcher)
            current.users += 1
            return current

    def release(self, held: _Held) -> None:
        with self._lock:
            held.users -= 1
            if held.retired and held.users == 0:
                self._close(held)

    def close(self) -> None:
        """Forget the current searcher: closed now if no search holds it, else by its last one."""
        with self._lock:
            if self._current is not None:
                self._retire(self._current)
                self._current = None

    def _retire(self, held: _Held) -> None:
        held.retired = True
        if held.users == 0:
            self._close(held)

    @staticmethod
    def _close(held: _Held) -> None:
        with contextlib.suppress(ReaderClosed, OSError):  # its files already gone: nothing left to free
            held.searcher.close()
