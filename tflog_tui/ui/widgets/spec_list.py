"""A list of query parts (matchers, line filters, label filters) that can be edited or removed."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option


class SpecList(OptionList):
    """Show query parts one per row; `delete` removes the highlighted one, `enter` edits it.

    Editing marks the row and posts `EditRequested`, so the editor fields above the list
    can load the part. The next `add_spec` replaces the marked part instead of appending,
    and an edit that is never finished leaves the part as it was. `describe` turns a part
    into the row's plain text, which is never read as markup.
    """

    DEFAULT_CSS = """
    SpecList {
        height: auto;
        max-height: 6;
        min-height: 1;
        border: none;
        padding: 0;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("delete,backspace", "remove", "Remove", show=False),
    ]

    @dataclass
    class Changed(Message):
        """The parts in the list changed (added, removed or taken out for editing)."""

        spec_list: SpecList

        @property
        def control(self) -> SpecList:
            """The list that changed."""
            return self.spec_list

    @dataclass
    class EditRequested(Message):
        """The user chose a part to edit; it stays in the list until replaced."""

        spec_list: SpecList
        spec: Any

        @property
        def control(self) -> SpecList:
            """The list the part came from."""
            return self.spec_list

    def __init__(
        self,
        describe: Callable[[Any], str],
        *,
        empty_text: str = "none",
        id: str | None = None,
    ) -> None:
        super().__init__(id=id, compact=True)
        self._describe = describe
        self._empty_text = empty_text
        self._specs: list[Any] = []
        self.editing_index: int | None = None

    def on_mount(self) -> None:
        """Show the empty text."""
        self._render_specs()

    @property
    def specs(self) -> list[Any]:
        """A copy of the parts, in list order."""
        return list(self._specs)

    def set_specs(self, specs: Sequence[Any]) -> None:
        """Replace every part and post `Changed`."""
        self._specs = list(specs)
        self.editing_index = None
        self._render_specs()
        self.post_message(self.Changed(self))

    def add_spec(self, spec: Any) -> None:
        """Replace the part being edited, or append `spec`, and post `Changed`."""
        index = self.editing_index
        self.editing_index = None
        if index is not None and index < len(self._specs):
            self._specs[index] = spec
        else:
            index = len(self._specs)
            self._specs.append(spec)
        self._render_specs()
        self.highlighted = index
        self.post_message(self.Changed(self))

    def remove_at(self, index: int) -> Any:
        """Remove and return the part at `index`, then post `Changed`."""
        spec = self._specs.pop(index)
        if self.editing_index == index:
            self.editing_index = None
        elif self.editing_index is not None and self.editing_index > index:
            self.editing_index -= 1
        self._render_specs()
        if self._specs:
            self.highlighted = min(index, len(self._specs) - 1)
        self.post_message(self.Changed(self))
        return spec

    def _render_specs(self) -> None:
        self.clear_options()
        if not self._specs:
            self.add_option(Option(Text(self._empty_text, style="dim"), disabled=True))
            return
        for index, spec in enumerate(self._specs):
            text = Text(self._describe(spec))
            if index == self.editing_index:
                text = Text.assemble(("editing ", "italic"), text)
            self.add_option(Option(text))
        self.highlighted = 0

    def action_remove(self) -> None:
        """Remove the highlighted part."""
        index = self.highlighted
        if index is None or not self._specs or index >= len(self._specs):
            return
        self.remove_at(index)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Mark the chosen part as being edited and post `EditRequested`."""
        event.stop()
        index = event.option_index
        if index >= len(self._specs):
            return
        self.editing_index = index
        self._render_specs()
        self.highlighted = index
        self.post_message(self.EditRequested(self, self._specs[index]))
