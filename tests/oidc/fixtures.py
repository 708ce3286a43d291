"""The session's OpenID provider for tests that use the Flask test client (whose requests
come from http://localhost, the tests' BASE_URL)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.oidc.provider import Provider, running_provider


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Provider]:
    with running_provider("http://localhost/auth/oidc/callback",
                          tmp_path_factory.mktemp("oidc")) as provider:
        yield provider
