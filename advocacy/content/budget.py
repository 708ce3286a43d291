"""Character budgets of suggested share texts, counted as each network counts.

The budget covers what the post will really contain: the text, the disclosure line and the
tracked link (whose length is known in advance: the site address, "/r/" and the code).
The browser runs the same rules (static/js/counting.js) while comms types; this module is
what the server trusts.
"""

from __future__ import annotations

from dataclasses import dataclass

from advocacy.providers.base import Composition
from advocacy.providers.counting import Measure, measure
from advocacy.providers.registry import NETWORKS

CODE_LENGTH = 10


def sample_link(base_url: str) -> str:
    """A tracked link as long as the real ones will be."""
    return f"{base_url.rstrip('/')}/r/{'x' * CODE_LENGTH}"


def measure_share(network: str, text: str, disclosure: str, link: str) -> Measure:
    return measure(network, Composition(text=text, disclosure=disclosure, link=link).full)


@dataclass(frozen=True)
class TextBudget:
    network: str
    measure: Measure


def budgets_for(text: str, network: str | None, disclosure: str,
                base_url: str) -> list[TextBudget]:
    """The budget of one suggested text on its network, or on every network for "any"."""
    link = sample_link(base_url)
    keys = [network] if network else list(NETWORKS)
    return [TextBudget(key, measure_share(key, text, disclosure, link)) for key in keys]


def over_budget(text: str, network: str | None, disclosure: str, base_url: str) -> list[str]:
    """The networks on which this text would be too long."""
    return [b.network for b in budgets_for(text, network, disclosure, base_url)
            if b.measure.over]
