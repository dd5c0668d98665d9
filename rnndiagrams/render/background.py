"""A call run in a thread of its own, for work that waits on other processes (`dot`)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Background(threading.Thread, Generic[T]):
    """`call` running from the moment this is made; `result` waits for it, then returns its
    value or raises its exception, in the caller's thread."""

    def __init__(self, call: Callable[[], T]) -> None:
        super().__init__(daemon=True)
        self.call = call
        self.value: T | None = None
        self.error: BaseException | None = None
        self.start()

    def run(self) -> None:
        try:
            self.value = self.call()
        except BaseException as e:  # re-raised by `result`, where the caller can handle it
            self.error = e

    def result(self) -> T:
        self.join()
        if self.error is not None:
            raise self.error
        return self.value  # type: ignore[return-value]  # set when no error was
