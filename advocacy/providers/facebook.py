"""Facebook. Personal profiles cannot be posted to by API; the sharer takes a URL only and
the platform forbids prefilled text."""

from advocacy.providers.base import Composition, Network, query


def intent(c: Composition) -> str:
    return query("https://www.facebook.com/sharer/sharer.php", u=c.link)


NETWORK = Network("facebook", "Facebook", intent, url_only=True, order=6)
