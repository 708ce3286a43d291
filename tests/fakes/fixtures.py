"""Pytest fixtures for the fake network servers (registered through `pytest_plugins`).

    def test_something(fake_x):
        config = ProviderConfig(provider_config(x=fake_x))
        fake_x.state.fail_next(429)

Every fixture starts a fresh server on 127.0.0.1 for the test and stops it afterwards.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from tests.fakes import FakeState, s256, serve, with_query
from tests.fakes import linkedin as linkedin_fake
from tests.fakes import mastodon as mastodon_fake
from tests.fakes import x as x_fake

S = TypeVar("S", bound=FakeState)

# Nothing listens here: a network without a fake must not be reached at all.
NOWHERE = "http://127.0.0.1:9"


@dataclass
class Fake(Generic[S]):
    """A running fake: its base URL and its control API."""

    url: str
    state: S


@pytest.fixture
def fake_mastodon() -> Iterator[Fake[mastodon_fake.MastodonState]]:
    state = mastodon_fake.MastodonState()
    with serve(mastodon_fake.create_app(state)) as url:
        yield Fake(url, state)


@pytest.fixture
def fake_x() -> Iterator[Fake[x_fake.XState]]:
    state = x_fake.XState()
    with serve(x_fake.create_app(state)) as url:
        yield Fake(url, state)


@pytest.fixture
def fake_linkedin() -> Iterator[Fake[linkedin_fake.LinkedInState]]:
    state = linkedin_fake.LinkedInState()
    with serve(linkedin_fake.create_app(state)) as url:
        yield Fake(url, state)


def provider_config(*, linkedin: Fake[Any] | None = None, x: Fake[Any] | None = None,
                    mastodon: Fake[Any] | None = None, **overrides: Any) -> dict[str, Any]:
    """The configuration the providers read, pointing at the given fakes (networks without
    a fake point at a closed port). Mastodon needs no entry: its server is per account
    (`Access.base_url`). Upper-case `overrides` replace single keys."""
    del mastodon  # accepted for symmetry; the Mastodon server comes with each account
    config = {
        "PROVIDER_TIMEOUT": 2,
        "ALLOW_INSECURE_PROVIDERS": True,
        "LINKEDIN_CLIENT_ID": linkedin_fake.CLIENT_ID,
        "LINKEDIN_CLIENT_SECRET": linkedin_fake.CLIENT_SECRET,
        "LINKEDIN_AUTH_URL": linkedin.url if linkedin else NOWHERE,
        "LINKEDIN_API_URL": linkedin.url if linkedin else NOWHERE,
        "LINKEDIN_API_VERSION": "202609",
        "LINKEDIN_ANALYTICS": False,
        "X_CLIENT_ID": x_fake.CLIENT_ID,
        "X_CLIENT_SECRET": x_fake.CLIENT_SECRET,
        "X_AUTH_URL": x.url if x else NOWHERE,
        "X_API_URL": x.url if x else NOWHERE,
    }
    config.update(overrides)
    return config


REDIRECT_URIS = {"linkedin": linkedin_fake.REDIRECT_URI, "x": x_fake.REDIRECT_URI,
                 "mastodon": "http://localhost/accounts/mastodon/callback"}


def pkce() -> tuple[str, str]:
    """A PKCE verifier and its S256 challenge."""
    verifier = secrets.token_urlsafe(48)
    return verifier, s256(verifier)


def _decide(authorize_url: str, decision: str) -> dict[str, str]:
    if decision == "allow":
        response = httpx.get(with_query(authorize_url, approve="1"), follow_redirects=False)
    else:
        page = urlsplit(authorize_url)
        response = httpx.post(authorize_url.split("?", 1)[0],
                              data={**dict(parse_qsl(page.query)), "decision": "deny"},
                              follow_redirects=False)
    assert response.status_code == 302, (response.status_code, response.text)
    return dict(parse_qsl(urlsplit(response.headers["location"]).query))


def approve(authorize_url: str) -> dict[str, str]:
    """Approve at a fake's authorize URL (as the person would); return the callback's
    query parameters (code and state, or error)."""
    return _decide(authorize_url, "allow")


def deny(authorize_url: str) -> dict[str, str]:
    """Press "Deny" on a fake's consent page; return the callback's query parameters."""
    return _decide(authorize_url, "deny")
