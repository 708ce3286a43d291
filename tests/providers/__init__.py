"""Contract tests of the network providers against the local fake servers (tests/fakes)."""

from __future__ import annotations

import uuid
from typing import Any

from advocacy.providers.api import Outgoing

LINK = "https://advocacy.example.com/r/Ab3dE_f9?c=emp42"  # a domain X counts as a link


def outgoing(body: str = "Our new report is out.", *, link: str = LINK,
             **fields: Any) -> Outgoing:
    """One post as the outbox hands it to a provider: `text` is the body plus the link."""
    values: dict[str, Any] = {
        "text": f"{body}\n{link}" if body else link, "body": body, "link": link,
        "title": "The 2026 report", "summary": "What we learned this year.",
        "language": "en", "idempotency_key": uuid.uuid4().hex}
    values.update(fields)
    return Outgoing(**values)
