"""The admin CLI's progress bar: drawn on a terminal, silent elsewhere."""

import io

from bot.terminal_progress import ProgressBar


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_bar_is_drawn_on_a_terminal_and_ends_with_a_new_line():
    screen = Terminal()
    with ProgressBar(4, "prompts", screen) as bar:
        for _ in range(4):
            bar.advance()
    drawn = screen.getvalue()
    assert drawn.count("\r") == 4 and drawn.endswith("] 4/4\n") and "#" * 30 in drawn


def test_the_bar_stays_quiet_when_output_is_not_a_terminal():
    log = io.StringIO()
    with ProgressBar(4, "prompts", log) as bar:
        bar.advance(4)
    assert log.getvalue() == "" and bar.done == 4
