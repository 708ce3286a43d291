"""All networks, in the order the share sheet offers them, and the four with an API."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from advocacy.providers import bluesky, email, facebook, linkedin, mastodon, whatsapp, x, xing
from advocacy.providers.api import Provider, ProviderConfig
from advocacy.providers.base import Network

NETWORKS: dict[str, Network] = {
    n.key: n for n in sorted(
        (m.NETWORK for m in (linkedin, xing, x, mastodon, bluesky, facebook, whatsapp, email)),
        key=lambda n: n.order)
}
API_PROVIDERS: dict[str, type[Provider]] = {
    "linkedin": linkedin.LinkedInAPI, "x": x.XAPI, "mastodon": mastodon.MastodonAPI,
    "bluesky": bluesky.BlueskyAPI,
}


def get_network(key: str) -> Network:
    try:
        return NETWORKS[key]
    except KeyError:
        raise ValueError(f"unknown network {key!r}") from None


def api_for(network: str, config: Mapping[str, Any]) -> Provider:
    """The API provider of `network`, reading its settings from `config`."""
    return API_PROVIDERS[network](ProviderConfig(config))
