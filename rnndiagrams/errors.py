"""One error type for every problem a user can cause, always carrying a location.

The CLI prints `str(error)` and exits 1; nothing else in the package formats user errors.
"""

from __future__ import annotations


class SpecError(Exception):
    """A problem in a spec: `file:line:col: what is wrong; what was expected`."""

    def __init__(self, where: str, problem: str, expected: str | None = None) -> None:
        self.where = where
        self.problem = problem
        self.expected = expected
        text = f"{where}: {problem}"
        if expected:
            text += f"; {expected}"
        super().__init__(text)

    def __reduce__(self) -> tuple[type[SpecError], tuple[str, str, str | None]]:
        """Picklable, so a worker process of `render --jobs` can report it."""
        return type(self), (self.where, self.problem, self.expected)


class RenderError(Exception):
    """A figure could not be written (a missing executable, a failed tool); not the spec's fault."""
