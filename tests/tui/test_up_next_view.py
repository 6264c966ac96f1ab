"""The Up next panel: play order, labels instead of raw scores, the selected row's whole reason."""

from __future__ import annotations

from types import SimpleNamespace

from textual.app import App, ComposeResult
from tui_helpers import run_async, screen_lines

from musitui.tui.up_next import UpNextView

LONG = ("like Armygeddon, which you finished 4 min ago · you often play it after Chaos God · "
        "close to what you finished this session · played 2 h ago")


def words(lines: list[str]) -> str:
    return " ".join(" ".join(lines).split())


def item(i: int, reason: str, *, queued: bool = False) -> SimpleNamespace:
    track = SimpleNamespace(id=i, title=f"Song {i}", artist=f"Band {i}", path=f"/m/{i}.ogg",
                            missing=False)
    return SimpleNamespace(track=track, score=0.4321, parts={}, reason=reason, user_queued=queued)


class Host(App):
    def compose(self) -> ComposeResult:
        yield UpNextView(id="up")


@run_async
async def test_selected_row_shows_its_whole_reason_and_rows_carry_labels_not_scores() -> None:
    app = Host()
    async with app.run_test(size=(50, 30)) as pilot:
        view = app.query_one(UpNextView)
        view.set_items([item(1, "queued by you", queued=True), item(2, LONG),
                        item(3, "exploring: unlike what this session has played, to learn your taste"),
                        item(4, LONG)], highlight=False)
        view.focus()
        view.cursor = 1
        await pilot.pause()
        lines = screen_lines(view)
        text = " ".join(line.strip() for line in lines)
        assert "0.43" not in text  # no unlabelled raw score
        assert lines[0].startswith(" 1 Song 1") and lines[0].rstrip().endswith("you")
        # Row 2 is selected: its reason is wrapped over several lines, none of it cut off.
        assert lines[2].startswith(" 2 Song 2")
        detail = words(lines[3:3 + 4])
        assert "played 2 h ago" in detail and "Chaos God" in detail
        # Row 3 (an exploration slot) follows right after the detail, labelled.
        row3 = next(i for i, line in enumerate(lines) if line.startswith(" 3 Song 3"))
        assert lines[row3].rstrip().endswith("explore")
        # Row 4 is not selected: one reason line, cut to the width.
        row4 = next(i for i, line in enumerate(lines) if line.startswith(" 4 Song 4"))
        assert "played 2 h ago" not in lines[row4 + 1] and lines[row4 + 2].strip() == ""
        # Moving the cursor moves the detail with it.
        view.cursor = 3
        await pilot.pause()
        lines = screen_lines(view)
        row4 = next(i for i, line in enumerate(lines) if line.startswith(" 4 Song 4"))
        assert "played 2 h ago" in words(lines[row4 + 1:row4 + 5])
