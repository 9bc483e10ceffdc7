"""What each application kind does when its review ends — consumers register here, the engine stays generic."""

from __future__ import annotations

from collections.abc import Callable

_OUTCOME_HANDLERS: dict[str, Callable] = {}


def on_outcome(kind: str):
    """Register `handler(application)`; called inside the deciding transaction after every state change."""

    def register(handler: Callable) -> Callable:
        _OUTCOME_HANDLERS[kind] = handler
        return handler

    return register


def outcome_handler(kind: str) -> Callable | None:
    return _OUTCOME_HANDLERS.get(kind)
