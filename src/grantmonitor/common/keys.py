"""Cache keys for what is kept under everything it shows."""

import hashlib
from collections.abc import Hashable

#: How long a page or answer kept under stamps lasts at most, written to or not (seconds).
KEPT_SECONDS = 3600


def cache_key(kind: str, shown: Hashable) -> str:
    """A key for something of ``kind`` drawn from ``shown`` alone (its ``repr`` must say all of
    it): the same key for the same ``shown``, another as soon as any part of it differs."""
    return f"{kind}:" + hashlib.sha256(repr(shown).encode()).hexdigest()
