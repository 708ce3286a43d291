"""WhatsApp. The person picks the chat; the text carries the link."""

from advocacy.providers.base import Composition, Network, query


def intent(c: Composition) -> str:
    return query("https://wa.me/", text=c.full)


NETWORK = Network("whatsapp", "WhatsApp", intent, order=7)
