"""LinkedIn. The share-offsite page takes a URL only; the text is pasted by the person."""

from advocacy.providers.base import Composition, Network, query


def intent(c: Composition) -> str:
    return query("https://www.linkedin.com/sharing/share-offsite/", url=c.link)


NETWORK = Network("linkedin", "LinkedIn", intent, url_only=True, order=1)
