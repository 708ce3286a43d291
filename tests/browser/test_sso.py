"""Single sign-on in a real browser, against a real OpenID provider (tests/oidc)."""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from advocacy.db import session_scope
from advocacy.people.models import User
from advocacy.sso.services import RuleData, save_rule
from tests import factories
from tests.oidc.provider import (
    CLIENT_ID,
    CLIENT_SECRET,
    SCOPES,
    require_provider,
    running_provider,
)
from tests.support import free_port

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def provider_port() -> int:
    require_provider()
    return free_port()


@pytest.fixture
def live_config(provider_port: int) -> dict[str, Any]:
    # The live server's port is only known once it runs, so the provider (whose client
    # registers the exact redirect URI) starts in the test; the app only needs its address.
    return {"OIDC_ISSUER": f"http://127.0.0.1:{provider_port}", "OIDC_CLIENT_ID": CLIENT_ID,
            "OIDC_CLIENT_SECRET": CLIENT_SECRET, "OIDC_SCOPES": SCOPES,
            "OIDC_BUTTON_LABEL": "Contoso ID", "ALLOW_INSECURE_PROVIDERS": True}


def test_a_new_colleague_signs_in_with_the_company_account(page, live_server, provider_port,
                                                           tmp_path):
    with session_scope(live_server.app) as session:
        group = factories.make_group(session, name="Sales team")
        save_rule(session, None, RuleData("groups", "contains", "sales", group.id, 2))
    with running_provider(f"{live_server.url}/auth/oidc/callback", tmp_path,
                          port=provider_port) as provider:
        provider.set_account("nina-1", email="nina.neu@example.org", email_verified=True,
                             name="Nina Neu", locale="en", groups=["Sales"])

        page.goto(f"{live_server.url}/points")  # sent to log in first, then back here
        page.get_by_role("link", name="Log in with Contoso ID").click()
        # The provider's own login page (oidc-provider's development form).
        expect(page).to_have_url(re.compile(re.escape(provider.issuer) + r"/interaction/"))
        page.locator("input[name=login]").fill("nina-1")
        page.locator("input[name=password]").fill("any password")
        page.get_by_role("button", name="Sign-in").click()

        expect(page).to_have_url(f"{live_server.url}/points")
        expect(page.locator(".site-header .account-name")).to_have_text("Nina Neu")

    with session_scope(live_server.app) as session:
        person = session.scalar(sa.select(User).where(User.email == "nina.neu@example.org"))
        assert person is not None
        assert person.oidc_subject == "nina-1"
        assert [g.name for g in person.groups] == ["Sales team"]
        assert person.tier_id == 2
