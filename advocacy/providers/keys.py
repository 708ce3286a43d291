"""Keys that make a resend harmless: one per outbox row, the same on every attempt.

They are shaped as AT Protocol TIDs (13 characters of base32-sortable: 53 bits of
microseconds since 1970, 10 bits of clock identifier), because Bluesky takes a record key
we choose only in that shape for posts; Mastodon takes any string as Idempotency-Key.
"""

from __future__ import annotations

import re
import secrets
import threading
import time

_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
_TID = re.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")
_lock = threading.Lock()
_last = 0
# Chosen once per process: two processes making a key in the same microsecond differ here
# (and the database refuses the rare equal pair).
_CLOCK = secrets.randbelow(1024)


def _encode(value: int) -> str:
    chars = []
    for _ in range(13):
        chars.append(_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def new_post_key() -> str:
    """A fresh key, later than every key this process made before."""
    global _last
    with _lock:
        micros = max(time.time_ns() // 1000, _last + 1)
        _last = micros
    return _encode((micros << 10) | _CLOCK)


def is_tid(key: str) -> bool:
    """True for keys in TID shape (rows queued before keys had it carry a uuid)."""
    return bool(_TID.match(key))
