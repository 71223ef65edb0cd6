"""The LLM's instructions per dialogue state (`prompts.yaml`, next to the state declarations).

The LLM never decides what happens next: the machine chose the state and the reply, and these
texts only tell the model what that reply is for. They are data, like the reply templates.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ottenok.slots import Intent

DEFAULT_PROMPTS = Path(__file__).with_name("prompts.yaml")


@dataclass(frozen=True, slots=True)
class StatePrompts:
    """The instructions for slot filling (with the intents' meanings), for phrasing, for nudges,
    and a note per state."""

    filling: str
    intents: dict[Intent, str]
    phrasing: str
    nudge: str
    states: dict[str, str]

    @classmethod
    def load(cls, path: Path = DEFAULT_PROMPTS) -> StatePrompts:
        """Read the prompts; every intent of `Intent` must have its meaning, and only those."""
        with path.open(encoding="utf-8") as fh:
            data: dict[str, Any] = yaml.safe_load(fh)
        meanings = {str(k): str(v).strip() for k, v in data["intents"].items()}
        if set(meanings) != {i.value for i in Intent}:
            names = sorted(set(meanings) ^ {i.value for i in Intent})
            raise ValueError(f"{path}: intents must give each Intent a meaning: {names}")
        return cls(
            filling=data["filling"].strip(),
            intents={Intent(k): v for k, v in meanings.items()},
            phrasing=data["phrasing"].strip(),
            nudge=data["nudge"].strip(),
            states={str(k): str(v).strip() for k, v in data["states"].items()},
        )

    def intent_lines(self, allowed: Iterable[Intent]) -> str:
        """The meanings of the allowed intents, one "name: meaning" line each, in enum order."""
        allowed = set(allowed)
        return "\n".join(f"{i.value}: {self.intents[i]}" for i in Intent if i in allowed)

    def for_state(self, state: str) -> str:
        """The note for one state; states without their own note share `default`."""
        return self.states.get(str(state), self.states.get("default", ""))
