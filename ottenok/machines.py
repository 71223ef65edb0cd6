"""Rule-book machines built from the declarations in `ottenok/states/`.

One `transitions.Machine` per declaration, with no models attached (`model=None`): each turn
fires an event on a model loaded from storage. Guards and actions are looked up by name in
the modules the declaration points to (a typo fails at import, not mid-conversation) and
wrapped so they receive the model, not the event. The order declaration's intent table is
resolved the same way into an `IntentTable`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache, wraps
from types import ModuleType
from typing import Any

from transitions import EventData, Machine, MachineError

from ottenok.slots import Intent
from ottenok.states import nudge as nudge_states
from ottenok.states import order as order_states

CALLBACK_KEYS = ("conditions", "unless", "before", "after", "prepare")


def _on_model(func: Callable[[Any], Any]) -> Callable[[EventData], Any]:
    """Adapt `func(model)` to transitions' `send_event=True` calling convention."""

    @wraps(func)
    def callback(event: EventData) -> Any:
        return func(event.model)

    return callback


def _lookup(module: ModuleType, name: str, where: str) -> Callable[..., Any]:
    func = getattr(module, name, None)
    if func is None:
        raise LookupError(f"{where}: {name!r} not in {module.__name__}")
    return func


def resolve_transitions(declaration: dict[str, Any]) -> list[dict[str, Any]]:
    """Replace guard and action names with the functions they name, taking the model."""
    guards = importlib.import_module(declaration["guards"])
    actions = importlib.import_module(declaration["actions"])
    resolved = []
    for row in declaration["transitions"]:
        row = dict(row)
        for key in CALLBACK_KEYS:
            if key in row:
                module = guards if key in ("conditions", "unless") else actions
                where = f"{declaration['name']} {key}"
                row[key] = [_on_model(_lookup(module, name, where)) for name in row[key]]
        resolved.append(row)
    return resolved


def machine_states(declaration: dict[str, Any]) -> list[Any]:
    """The declared states, with the `final` ones marked for transitions."""
    final = set(declaration.get("final", ()))
    return [{"name": s, "final": True} if s in final else s for s in declaration["states"]]


class RuleBook:
    """A machine that fires events on any object with a `state` attribute.

    The model's state is coerced to the declaration's enum before firing, so a state read back
    from storage as plain text works, and an unknown one fails loudly.
    """

    def __init__(self, declaration: dict[str, Any]) -> None:
        self.declaration = declaration
        self.state_type: type[StrEnum] = type(declaration["states"][0])
        self.machine = Machine(
            model=None,
            states=machine_states(declaration),
            transitions=resolve_transitions(declaration),
            initial=declaration["initial"],
            auto_transitions=False,
            send_event=True,
        )
        actions = importlib.import_module(declaration["actions"])
        self._on_change = [
            _lookup(actions, name, "on_change") for name in declaration.get("on_change", ())
        ]

    @property
    def states(self) -> list[StrEnum]:
        return list(self.declaration["states"])

    def triggers_from(self, state: str) -> list[str]:
        return self.machine.get_triggers(self.state_type(state))

    def can(self, model: Any, trigger: str) -> bool:
        """Whether `trigger` is declared from the model's state (guards not evaluated)."""
        return trigger in self.triggers_from(model.state)

    def fire(self, model: Any, trigger: str) -> bool:
        """Fire `trigger`; False when no row's guards pass or it is not declared from here."""
        event = self.machine.events.get(trigger)
        if event is None:
            raise MachineError(f"{self.declaration['name']}: unknown trigger {trigger!r}")
        model.state = source = self.state_type(model.state)
        if not self.can(model, trigger):
            return False
        fired = bool(event.trigger(model))
        if fired:
            for on_change in self._on_change:
                on_change(model, source, trigger)
        return fired


@dataclass(frozen=True, slots=True)
class IntentRule:
    """One row of the intent table, with its guards resolved."""

    intents: frozenset[Intent] | None  # None: any intent
    sources: frozenset[StrEnum] | None  # None: any state
    conditions: tuple[Callable[[Any], bool], ...]
    unless: tuple[Callable[[Any], bool], ...]
    triggers: tuple[str, ...]
    event: StrEnum | None

    def matches(self, model: Any, intent: Intent) -> bool:
        return (
            (self.intents is None or intent in self.intents)
            and (self.sources is None or model.state in self.sources)
            and all(guard(model) for guard in self.conditions)
            and not any(guard(model) for guard in self.unless)
        )


NOTHING = IntentRule(None, None, (), (), (), None)


class IntentTable:
    """What a customer's intent means in the model's state: the first matching row."""

    def __init__(self, declaration: dict[str, Any]) -> None:
        guards = importlib.import_module(declaration["guards"])
        any_value = order_states.ANY

        def names(row: dict[str, Any], key: str) -> tuple[Callable[[Any], bool], ...]:
            return tuple(_lookup(guards, n, f"intents {key}") for n in row.get(key, ()))

        def values(value: Any) -> frozenset[Any] | None:
            return None if value == any_value else frozenset(_as_list(value))

        self.rules = [
            IntentRule(
                intents=values(row["intent"]),
                sources=values(row["source"]),
                conditions=names(row, "conditions"),
                unless=names(row, "unless"),
                triggers=tuple(row["triggers"]),
                event=row.get("event"),
            )
            for row in declaration["intents"]
        ]

    def lookup(self, model: Any, intent: Intent) -> IntentRule:
        return next((rule for rule in self.rules if rule.matches(model, intent)), NOTHING)


def _as_list(value: Any) -> Sequence[Any]:
    return value if isinstance(value, list | tuple | set | frozenset) else [value]


@cache
def order_machine() -> RuleBook:
    return RuleBook(order_states.DECLARATION)


@cache
def order_intents() -> IntentTable:
    return IntentTable(order_states.DECLARATION)


@cache
def nudge_machine() -> RuleBook:
    return RuleBook(nudge_states.DECLARATION)


DECLARATIONS: dict[str, dict[str, Any]] = {
    "order": order_states.DECLARATION,
    "nudge": nudge_states.DECLARATION,
}
