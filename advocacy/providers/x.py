"""X. The intent takes text and URL separately and joins them with a space."""

from advocacy.providers.base import Composition, Network, query


def intent(c: Composition) -> str:
    return query("https://x.com/intent/tweet", text=c.body, url=c.link)


NETWORK = Network("x", "X", intent, order=3)
