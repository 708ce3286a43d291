"""Mastodon. The share page lives on the person's own server; without one we use the
official server picker."""

import re

from advocacy.providers.base import Composition, Network, query

PICKER = "https://share.joinmastodon.org/"
_HOST = re.compile(r"^(?=.{4,200}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def normalize_instance(value: str) -> str | None:
    """A bare host name such as "mastodon.social", or None when it is not one."""
    host = value.strip().lower().removeprefix("https://").removeprefix("@").rstrip("/")
    host = host.split("@")[-1]  # "@name@server" -> "server"
    return host if _HOST.match(host) else None


def intent(c: Composition) -> str:
    base = f"https://{c.mastodon_instance}/share" if c.mastodon_instance else PICKER
    return query(base, text=c.full)


NETWORK = Network("mastodon", "Mastodon", intent, order=4)
