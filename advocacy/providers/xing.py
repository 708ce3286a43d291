"""XING. No public API; the share page takes a URL only."""

from advocacy.providers.base import Composition, Network, query


def intent(c: Composition) -> str:
    return query("https://www.xing.com/spi/shares/new", url=c.link)


NETWORK = Network("xing", "XING", intent, url_only=True, order=2)
