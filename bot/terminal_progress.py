"""A one-line progress bar for the admin CLI: drawn on a terminal, silent when output goes to a file, a pipe or
cron's mail (a bar redrawn with carriage returns would fill those with noise)."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import TextIO

WIDTH = 30


def _stderr() -> TextIO:
    return sys.stderr


@dataclass
class ProgressBar:
    """`with ProgressBar(total, "prompts") as bar: … bar.advance()` (or `bar.move_to(done)`); draws on stderr only
    when it is a terminal."""

    total: int
    label: str
    stream: TextIO = field(default_factory=_stderr)
    done: int = 0

    @property
    def enabled(self) -> bool:
        return self.total > 0 and self.stream.isatty()

    def advance(self, step: int = 1) -> None:
        self.move_to(self.done + step)

    def move_to(self, done: int) -> None:
        """Show `done` of `total` (for work that reports where it is, like SQLite's backup, rather than steps)."""
        done = max(0, min(self.total, done))
        if done == self.done:
            return
        self.done = done
        if self.enabled:
            filled = WIDTH * self.done // self.total
            self.stream.write(f"\r{self.label} [{'#' * filled}{'.' * (WIDTH - filled)}] {self.done}/{self.total}")
            self.stream.flush()

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.enabled and self.done:
            self.stream.write("\n")
            self.stream.flush()
