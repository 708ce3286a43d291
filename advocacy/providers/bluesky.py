"""Bluesky. The compose intent takes the whole text, link included."""

from advocacy.providers.base import Composition, Network, query


def intent(c: Composition) -> str:
    return query("https://bsky.app/intent/compose", text=c.full)


NETWORK = Network("bluesky", "Bluesky", intent, order=5)
