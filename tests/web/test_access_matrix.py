"""Every route against every role.

The table below is the expectation, written independently of the code. The test fails when
a route is missing from the table (so new routes must be classified), when the code's
declared access differs from the table, or when a request gets through, or is refused,
against the table.
"""

from __future__ import annotations

import pytest
from flask import Flask

from advocacy.security import AUTHENTICATED, PUBLIC
from tests import factories

ADMIN = frozenset({"admin"})
COMMS = frozenset({"comms"})
EMPLOYEE = frozenset({"employee"})
PROGRAMME_VIEWERS = frozenset({"hr", "comms", "admin"})
TAKING_PART = frozenset({"employee", "comms"})

EXPECTED: dict[str, str | frozenset[str]] = {
    "static": PUBLIC,
    "core.healthz": PUBLIC,
    "core.language": PUBLIC,
    "core.home": AUTHENTICATED,
    "auth.login": PUBLIC,
    "auth.login_submit": PUBLIC,
    "auth.logout": PUBLIC,
    "auth.forgot": PUBLIC,
    "auth.forgot_submit": PUBLIC,
    "auth.reset": PUBLIC,
    "auth.invitation": PUBLIC,
    "auth.profile": AUTHENTICATED,
    "auth.profile_submit": AUTHENTICATED,
    "auth.change_password": AUTHENTICATED,
    "sso.start": PUBLIC,
    "sso.callback": PUBLIC,
    "sso.rules": ADMIN,
    "sso.rule_create": ADMIN,
    "sso.rule_edit": ADMIN,
    "sso.rule_update": ADMIN,
    "sso.rule_delete": ADMIN,
    "sso.rule_up": ADMIN,
    "sso.rule_down": ADMIN,
    "reports.overview": PROGRAMME_VIEWERS,
    "reports.reach_report": PROGRAMME_VIEWERS,
    "reports.reach_csv": PROGRAMME_VIEWERS,
    "reports.quarterly_summary": PROGRAMME_VIEWERS,
    "reports.programme_health": frozenset({"comms", "admin"}),
    "reports.audit_log": ADMIN,
    "admin.settings": ADMIN,
    "admin.settings_submit": ADMIN,
    "admin.settings_reports": ADMIN,
    "admin.settings_reports_submit": ADMIN,
    "admin.works_council": ADMIN,
    "admin.works_council_markdown": ADMIN,
    "admin.works_council_locks": ADMIN,
    "admin.works_council_decide": ADMIN,
    "admin.audit_log": ADMIN,
    "people.people": ADMIN,
    "people.person_new": ADMIN,
    "people.person_create": ADMIN,
    "people.person_edit": ADMIN,
    "people.person_update": ADMIN,
    "people.person_invite": ADMIN,
    "people.import_start": ADMIN,
    "people.import_template": ADMIN,
    "people.import_preview": ADMIN,
    "people.import_confirm": ADMIN,
    "people.groups": ADMIN,
    "people.group_create": ADMIN,
    "people.group_edit": ADMIN,
    "people.group_delete": ADMIN,
    "people.tiers": ADMIN,
    "people.tier_edit": ADMIN,
    "people.deletions": ADMIN,
    "people.deletion_confirm": ADMIN,
    "people.deletion_decline": ADMIN,
    "content.library": COMMS,
    "content.item_new": COMMS,
    "content.item_create": COMMS,
    "content.item_edit": COMMS,
    "content.item_update": COMMS,
    "content.item_submit": COMMS,
    "content.item_approve": COMMS,
    "content.item_return": COMMS,
    "content.item_archive": COMMS,
    "content.item_restore": COMMS,
    "content.campaign_list": COMMS,
    "content.campaign_edit": COMMS,
    "content.campaign_page": COMMS,
    "content.media": AUTHENTICATED,
    "sharing.sheet": EMPLOYEE,
    "sharing.share": EMPLOYEE,
    "sharing.my_shares": EMPLOYEE,
    "sharing.tracked": PUBLIC,
    "governance.guidelines": AUTHENTICATED,
    "governance.acknowledge": EMPLOYEE,
    "governance.manage": ADMIN,
    "engagement.points": EMPLOYEE,
    "engagement.leaderboard": EMPLOYEE,
    "engagement.rules": ADMIN,
    "accounts.connections": EMPLOYEE,
    "accounts.connect": EMPLOYEE,
    "accounts.callback": EMPLOYEE,
    "accounts.connect_bluesky": EMPLOYEE,
    "accounts.disconnect": EMPLOYEE,
    "sharing.retry_post": EMPLOYEE,
    "sharing.cancel_post": EMPLOYEE,
    "sharing.delete_post": EMPLOYEE,
    "sharing.look_for_post": EMPLOYEE,
    "sharing.post_is_there": EMPLOYEE,
    "sharing.send_post_again": EMPLOYEE,
    "sharing.share_post_by_link": EMPLOYEE,
    "sharing.posting": frozenset({"comms", "admin"}),
    "sharing.posting_costs": ADMIN,
    "sharing.lift_cost_stop": ADMIN,
    "sharing.pause_posting": frozenset({"comms", "admin"}),
    "sharing.resume_posting": frozenset({"comms", "admin"}),
    "sharing.draft_new": COMMS,
    "sharing.draft_list": COMMS,
    "sharing.draft_withdraw": COMMS,
    "sharing.drafts_mine": EMPLOYEE,
    "sharing.draft_review": EMPLOYEE,
    "suggestions.mine": EMPLOYEE,
    "suggestions.suggest": EMPLOYEE,
    "suggestions.inbox": COMMS,
    "suggestions.accept": COMMS,
    "suggestions.decline": COMMS,
    "feeds.feed_list": COMMS,
    "feeds.feed_add": COMMS,
    "feeds.feed_edit": COMMS,
    "feeds.feed_save": COMMS,
    "feeds.feed_check": COMMS,
    "feeds.feed_delete": COMMS,
    "challenges.challenge_list": TAKING_PART,
    "challenges.challenge_page": TAKING_PART,
    "challenges.challenge_new": COMMS,
    "challenges.challenge_create": COMMS,
    "challenges.challenge_edit": COMMS,
    "challenges.challenge_save": COMMS,
    "challenges.challenge_delete": COMMS,
    "training.module_list": frozenset({"employee", "comms", "admin"}),
    "training.module_page": frozenset({"employee", "comms", "admin"}),
    "training.module_quiz": EMPLOYEE,
    "training.module_new": COMMS,
    "training.module_create": COMMS,
    "training.module_edit": COMMS,
    "training.module_save": COMMS,
    "training.module_delete": COMMS,
    "training.module_requirement": ADMIN,
    "rewards.catalogue": EMPLOYEE,
    "rewards.redeem": EMPLOYEE,
    "rewards.manage_page": ADMIN,
    "rewards.manage_offer": ADMIN,
    "rewards.manage_new": ADMIN,
    "rewards.manage_edit": ADMIN,
    "rewards.manage_save": ADMIN,
    "rewards.manage_fulfil": ADMIN,
    "rewards.manage_decline": ADMIN,
    "notifications.inbox": AUTHENTICATED,
    "notifications.mark_read": AUTHENTICATED,
    "notifications.unsubscribe": PUBLIC,
    "notifications.unsubscribe_confirm": PUBLIC,
    "me.numbers": EMPLOYEE,
    "me.data": AUTHENTICATED,
    "me.export": AUTHENTICATED,
    "me.deletion_request": AUTHENTICATED,
    "me.deletion_withdraw": AUTHENTICATED,
    "brand.worksheet": EMPLOYEE,
    "brand.overview": EMPLOYEE,
    "brand.helpers": EMPLOYEE,
    "brand.history": EMPLOYEE,
    "brand.show_version": EMPLOYEE,
    "brand.compare": EMPLOYEE,
    "brand.share": EMPLOYEE,
    "brand.unshare": EMPLOYEE,
    "brand.coaching": COMMS,
    "brand.coached": COMMS,
    "brand.ceo": EMPLOYEE,
    "brand.ceo_step": EMPLOYEE,
    "brand.printable": EMPLOYEE,
    "brand.export_markdown": EMPLOYEE,
}

# Who is asking: the roles of a logged-in person, or None for an anonymous visitor.
VISITORS = {
    "anonymous": None,
    "employee": {"employee"},
    "comms": {"comms", "employee"},
    "hr": {"hr", "employee"},
    "admin": {"admin", "employee"},
    "hr-only": {"hr"},
}


def _requests(app: Flask, sample: dict[str, object]) -> list[tuple[str, str, str]]:
    """(endpoint, method, url) for every route, with sample values for its arguments."""
    found = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            values = {arg: sample[arg] for arg in rule.arguments}
            url = app.url_for(rule.endpoint, **values)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                found.append((rule.endpoint, method, url))
    return found


def _allowed(access: str | frozenset[str], roles: set[str] | None) -> bool:
    if access == PUBLIC:
        return True
    if roles is None:
        return False
    return access == AUTHENTICATED or bool(access & roles)


def test_every_route_is_classified_and_declared_as_expected(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints == set(EXPECTED), "classify new routes in EXPECTED"
    for endpoint, view in app.view_functions.items():
        if endpoint == "static":
            continue
        declared = getattr(view, "access", None)
        assert declared == EXPECTED[endpoint], f"{endpoint} declares {declared!r}"


@pytest.fixture
def sample(db, make_user):
    group = factories.make_group(db, name="Matrix group")
    target = make_user(email="matrix.target@example.org")
    item = factories.make_item(db, language="en")
    campaign = factories.make_campaign(db)
    share = factories.make_share(db, item=item, user=target)
    db.commit()
    return {"user_id": target.id, "group_id": group.id, "tier_id": 2,
            "token": "not-a-real-token", "filename": "css/app.css", "item_id": item.id,
            "campaign_id": campaign.id, "name": "missing.jpg", "code": share.code,
            "network": "mastodon", "post_id": 999_999, "draft_id": 999_999,
            "request_id": 999_999, "suggestion_id": 999_999,
            "feed_id": 999_999, "challenge_id": 999_999, "reward_id": 999_999,
            "redemption_id": 999_999, "module_id": 999_999, "rule_id": 999_999,
            "number": 1, "step": 1, "change_id": 999_999, "decision": "withdraw"}


@pytest.mark.parametrize("visitor", VISITORS)
def test_route_matrix(app, client, make_user, sample, visitor):
    roles = VISITORS[visitor]
    if roles is not None:
        user = make_user(roles=roles)
        assert client.login(user.email).status_code == 302
    for endpoint, method, url in _requests(app, sample):
        if endpoint == "auth.logout":
            continue  # would end the visitor's session; covered in test_auth
        response = client.get(url) if method == "GET" else client.post_form(url, {})
        location = response.headers.get("Location", "")
        refused_login = response.status_code == 302 and location.startswith("/login")
        where = f"{visitor} {method} {url} -> {response.status_code} {location}"
        if _allowed(EXPECTED[endpoint], roles):
            assert response.status_code not in (401, 403) and not refused_login, where
            assert response.status_code < 500, where
        elif roles is None:
            assert refused_login, where
        else:
            assert response.status_code == 403, where


def test_deactivated_person_is_treated_as_logged_out(app, client, make_user, db, sample):
    user = make_user(roles={"admin", "employee"})
    client.login(user.email)
    assert client.get("/admin/people").status_code == 200
    user.is_active = False
    db.commit()
    for endpoint, method, url in _requests(app, sample):
        if EXPECTED[endpoint] == PUBLIC or method != "GET":
            continue
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/login"), url
