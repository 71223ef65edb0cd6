"""The LLM's instructions per dialogue state (`prompts.yaml`, next to the state declarations).

The LLM never decides what happens next: the machine chose the state and the reply, and these
texts only tell the model what that reply is for. They are data, like the reply templates.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

DEFAULT_PROMPTS = Path(__file__).with_name("prompts.yaml")


@dataclass(frozen=True, slots=True)
class StatePrompts:
    """The instructions for slot filling (with the intents' meanings), for phrasing, for nudges,
    and a note per state."""

    filling: str
    intents: str
    phrasing: str
    nudge: str
    states: dict[str, str]

    @classmethod
    def load(cls, path: Path = DEFAULT_PROMPTS) -> StatePrompts:
        with path.open(encoding="utf-8") as fh:
            data: dict[str, Any] = yaml.safe_load(fh)
        return cls(
            filling=data["filling"].strip(),
            intents=data["intents"].strip(),
            phrasing=data["phrasing"].strip(),
            nudge=data["nudge"].strip(),
            states={str(k): str(v).strip() for k, v in data["states"].items()},
        )

    def for_state(self, state: str) -> str:
        """The note for one state; states without their own note share `default`."""
        return self.states.get(str(state), self.states.get("default", ""))
