"""Rule-book machines built from the declarations in `ottenok/states/`.

One `transitions.Machine` per declaration, with no models attached (`model=None`): each turn
fires an event on a model loaded from storage. Guards and actions are looked up by name in
the modules the declaration points to and wrapped so they receive the model, not the event.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from functools import cache, wraps
from typing import Any

from transitions import EventData, Machine, MachineError

from ottenok.states import nudge as nudge_states
from ottenok.states import order as order_states

CALLBACK_KEYS = ("conditions", "unless", "before", "after", "prepare")


def _on_model(func: Callable[[Any], Any]) -> Callable[[EventData], Any]:
    """Adapt `func(model)` to transitions' `send_event=True` calling convention."""

    @wraps(func)
    def callback(event: EventData) -> Any:
        return func(event.model)

    return callback


def resolve_transitions(declaration: dict[str, Any], wrap: bool = True) -> list[dict[str, Any]]:
    """Replace guard and action names with the functions they name (a typo fails loudly)."""
    guards = importlib.import_module(declaration["guards"])
    actions = importlib.import_module(declaration["actions"])
    resolved = []
    for row in declaration["transitions"]:
        row = dict(row)
        for key in CALLBACK_KEYS:
            if key not in row:
                continue
            module = guards if key in ("conditions", "unless") else actions
            funcs = []
            for name in row[key]:
                func = getattr(module, name, None)
                if func is None:
                    raise LookupError(
                        f"{declaration['name']}: {key} {name!r} not in {module.__name__}"
                    )
                funcs.append(_on_model(func) if wrap else func)
            row[key] = funcs
        resolved.append(row)
    return resolved


class RuleBook:
    """A machine that fires events on any object with a `state` attribute."""

    def __init__(self, declaration: dict[str, Any]) -> None:
        self.declaration = declaration
        self.machine = Machine(
            model=None,
            states=declaration["states"],
            transitions=resolve_transitions(declaration),
            initial=declaration["initial"],
            auto_transitions=False,
            send_event=True,
        )

    @property
    def states(self) -> list[str]:
        return list(self.declaration["states"])

    def triggers_from(self, state: str) -> list[str]:
        return self.machine.get_triggers(state)

    def can(self, model: Any, trigger: str) -> bool:
        """Whether `trigger` is declared from the model's state (guards not evaluated)."""
        return trigger in self.machine.get_triggers(model.state)

    def fire(self, model: Any, trigger: str) -> bool:
        """Fire `trigger`; False when no row's guards pass or it is not declared from here."""
        event = self.machine.events.get(trigger)
        if event is None:
            raise MachineError(f"{self.declaration['name']}: unknown trigger {trigger!r}")
        if not self.can(model, trigger):
            return False
        return bool(event.trigger(model))


@cache
def order_machine() -> RuleBook:
    return RuleBook(order_states.DECLARATION)


@cache
def nudge_machine() -> RuleBook:
    return RuleBook(nudge_states.DECLARATION)


DECLARATIONS: dict[str, dict[str, Any]] = {
    "order": order_states.DECLARATION,
    "nudge": nudge_states.DECLARATION,
}
