"""E-mail through the person's own mail program (RFC 6068 mailto: link)."""

from urllib.parse import quote

from advocacy.providers.base import Composition, Network


def intent(c: Composition) -> str:
    body = c.full.replace("\n", "\r\n")
    return f"mailto:?subject={quote(c.title, safe='')}&body={quote(body, safe='')}"


NETWORK = Network("email", "E-Mail", intent, order=8)
