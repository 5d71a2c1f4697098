"""The progress of a run: a rich bar on a terminal, a few plain lines otherwise."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TextIO

from routing_otel.demo._render import has_rich

if TYPE_CHECKING:
    from types import TracebackType
    from typing import Self


class Progress:
    """A progress display; use as a context manager around the run."""

    def __init__(self, stream: TextIO, *, enabled: bool, label: str) -> None:
        """Show progress on ``stream`` (a bar if it is a terminal), described by ``label``."""
        self._stream = stream
        self._enabled = enabled
        self._label = label
        self._bar: Any = None
        self._task: Any = None
        self._next_line = 0.25  # plain mode: a line at each quarter

    def __enter__(self) -> Self:
        """Start showing."""
        if self._enabled and self._stream.isatty() and has_rich():
            from rich.console import Console  # noqa: PLC0415 - only on a terminal
            from rich.progress import (  # noqa: PLC0415
                BarColumn,
                TaskProgressColumn,
                TextColumn,
                TimeElapsedColumn,
            )
            from rich.progress import Progress as RichProgress  # noqa: PLC0415

            self._bar = RichProgress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                TaskProgressColumn(),
                TimeElapsedColumn(),
                TextColumn("{task.fields[calls]} calls  {task.fields[router]}"),
                console=Console(file=self._stream),
                transient=True,
            )
            self._bar.start()
            self._task = self._bar.add_task(self._label, total=None, calls=0, router="")
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop showing."""
        if self._bar is not None:
            self._bar.stop()

    def update(self, done: float, total: float, calls: int, *, router_down: bool) -> None:
        """The run advanced."""
        if not self._enabled:
            return
        router = "[red]router down: falling back[/red]" if router_down else ""
        if self._bar is not None:
            self._bar.update(self._task, completed=done, total=total, calls=calls, router=router)
            return
        share = done / total if total else 1.0
        while share >= self._next_line and self._next_line <= 1.0:
            self._stream.write(
                f"  {self._next_line:4.0%} of the workload, {calls} calls so far"
                f"{' (router down)' if router_down else ''}\n"
            )
            self._stream.flush()
            self._next_line += 0.25
