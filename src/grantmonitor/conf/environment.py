"""Read settings from the environment, and remember each one with its help text.

``python -m grantmonitor.conf.reference`` prints the reference of every variable from here,
so the documentation cannot drift from the code.
"""

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import environ


@dataclass(frozen=True)
class Variable:
    name: str
    kind: str
    default: Any
    help: str
    secret: bool
    default_text: str


VARIABLES: dict[str, Variable] = {}

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"not a boolean: {raw!r}")


CASTS: dict[str, Callable[[str], Any]] = {
    "str": str,
    "bool": _bool,
    "int": int,
    "list": lambda raw: [item.strip() for item in raw.split(",") if item.strip()],
    "database url": environ.Env.db_url_config,
    "cache url": environ.Env.cache_url_config,
}


def config(
    name: str,
    *,
    default: Any,
    help: str,
    kind: str = "str",
    secret: bool = False,
    default_text: str = "",
) -> Any:
    """The value of environment variable ``name`` cast to ``kind``, else ``default``.

    ``default_text`` describes a default that depends on the machine (a path) for the reference.
    """
    VARIABLES[name] = Variable(name, kind, default, help, secret, default_text)
    raw = os.environ.get(name)
    if raw is None:
        return CASTS[kind](default) if kind.endswith(" url") else default
    try:
        return CASTS[kind](raw)
    except ValueError as exc:
        raise ValueError(f"environment variable {name}: {exc}") from exc
