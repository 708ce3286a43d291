"""All networks, in the order the share sheet offers them."""

from advocacy.providers import bluesky, email, facebook, linkedin, mastodon, whatsapp, x, xing
from advocacy.providers.base import Network

NETWORKS: dict[str, Network] = {
    n.key: n for n in sorted(
        (m.NETWORK for m in (linkedin, xing, x, mastodon, bluesky, facebook, whatsapp, email)),
        key=lambda n: n.order)
}


def get_network(key: str) -> Network:
    try:
        return NETWORKS[key]
    except KeyError:
        raise ValueError(f"unknown network {key!r}") from None
