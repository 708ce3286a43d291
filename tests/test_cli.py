"""The `flask advocacy ...` commands."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from advocacy.people.models import Group, User, UserRole
from advocacy.security import verify_password


def run(app, *args, **kwargs):
    result = app.test_cli_runner().invoke(args=list(args), **kwargs)
    assert result.exit_code == 0, result.output
    return result.output


def test_demo_loads_a_company_idempotently(app, db):
    output = run(app, "advocacy", "demo", "--password", "demo words 123")
    for email in ("admin@example.com", "comms@example.com", "hr@example.com",
                  "exec@example.com", "sme@example.com", "employee@example.com"):
        assert email in output
    people = db.scalar(sa.select(sa.func.count()).select_from(User))
    assert people >= 66
    tiers = dict(db.execute(sa.select(User.tier_id, sa.func.count()).group_by(User.tier_id)).all())
    assert all(tiers.get(tier, 0) >= 3 for tier in (1, 2, 3))
    departments = db.scalar(sa.select(sa.func.count()).select_from(Group)
                            .where(Group.kind == "department"))
    assert departments == 5

    def roles_of(email):
        user = db.scalar(sa.select(User).where(User.email == email))
        return user, user.roles

    assert "admin" in roles_of("admin@example.com")[1]
    assert "comms" in roles_of("comms@example.com")[1]
    assert "hr" in roles_of("hr@example.com")[1]
    assert roles_of("exec@example.com")[0].tier_id == 1
    assert roles_of("sme@example.com")[0].tier_id == 2
    employee, roles = roles_of("employee@example.com")
    assert employee.tier_id == 3 and roles == {"employee"}
    assert verify_password(employee.password_hash, "demo words 123")

    run(app, "advocacy", "demo", "--password", "demo words 123")
    assert db.scalar(sa.select(sa.func.count()).select_from(User)) == people


def test_demo_without_password_prints_working_random_ones(app, client):
    output = run(app, "advocacy", "demo")
    password = re.search(r"employee@example.com\s+(\S+)", output).group(1)
    assert client.login("employee@example.com", password).status_code == 302


def test_demo_if_empty_leaves_an_existing_company_alone(app, make_user, db):
    make_user()
    output = run(app, "advocacy", "demo", "--if-empty")
    assert "not loaded" in output
    assert db.scalar(sa.select(User).where(User.email == "admin@example.com")) is None


def test_create_admin_creates_and_promotes(app, make_user, db):
    output = run(app, "advocacy", "create-admin", "boss@example.org",
                 input="long enough secret\nlong enough secret\n")
    assert "boss@example.org is an admin." in output
    boss = db.scalar(sa.select(User).where(User.email == "boss@example.org"))
    assert "admin" in boss.roles and verify_password(boss.password_hash, "long enough secret")

    existing = make_user(roles={"employee"})
    run(app, "advocacy", "create-admin", existing.email.upper(),
        input="another long secret\nanother long secret\n")
    db.expire_all()
    assert db.scalar(sa.select(sa.func.count()).select_from(UserRole).where(
        UserRole.user_id == existing.id, UserRole.role.in_(["admin", "employee"]))) == 2


def test_create_admin_refuses_a_weak_password(app):
    result = app.test_cli_runner().invoke(
        args=["advocacy", "create-admin", "weak@example.org"], input="short\nshort\n")
    assert result.exit_code != 0
    assert "at least 10 characters" in result.output


def test_jobs_are_listed_and_run_once(app):
    assert "purge-expired-logins" in run(app, "advocacy", "jobs")
    assert "purge-expired-logins:" in run(app, "advocacy", "run-job", "purge-expired-logins")
    result = app.test_cli_runner().invoke(args=["advocacy", "run-job", "no-such-job"])
    assert result.exit_code != 0 and "no job called" in result.output


def test_demo_brings_every_page_to_life(app, db):
    """Content in every tier's feed, 90 days of shares and clicks, leaderboards with data."""
    import datetime as dt

    from advocacy.content.models import Campaign, ContentItem
    from advocacy.db import utcnow
    from advocacy.engagement.services import leaderboard
    from advocacy.governance.models import Guideline
    from advocacy.sharing.models import Click, Share
    from advocacy.sharing.services import feed

    run(app, "advocacy", "demo", "--password", "demo words 123")
    for email in ("exec@example.com", "sme@example.com", "employee@example.com"):
        person = db.scalar(sa.select(User).where(User.email == email))
        assert feed(db, person).total >= 5, email
    states = set(db.scalars(sa.select(ContentItem.state).distinct()))
    assert states == {"draft", "review", "approved", "expired", "archived"}
    oldest, newest = db.execute(sa.select(sa.func.min(Share.created_at),
                                          sa.func.max(Share.created_at))).one()
    now = utcnow()
    assert now - oldest > dt.timedelta(days=60) and now - newest < dt.timedelta(days=14)
    assert db.scalar(sa.select(sa.func.count()).select_from(Share)) >= 100
    assert db.scalar(sa.select(sa.func.count()).select_from(Click)
                     .where(Click.counted.is_(None))) == 0  # every click judged
    assert db.scalar(sa.select(sa.func.sum(Share.click_count))) > 300
    assert db.scalar(sa.select(sa.func.count()).select_from(Campaign)) == 3
    assert db.scalar(sa.select(sa.func.count()).select_from(Guideline)) == 1
    viewer = db.scalar(sa.select(User).where(User.email == "employee@example.com"))
    board = leaderboard(db, "all", now.date(), "anonymous", viewer.id)
    assert len(board.rows) >= 10
    assert any(row.name for row in board.rows) and any(not row.name for row in board.rows)
    from advocacy.me.models import DeletionRequest

    assert sorted(db.scalars(sa.select(DeletionRequest.state))) == ["done", "pending"]
    from advocacy.core.models import AuditEvent

    kinds = {action.partition(".")[0] for action in db.scalars(sa.select(AuditEvent.action))}
    assert {"person", "settings", "guidelines", "reward", "deletion", "sso"} <= kinds
    from advocacy.suggestions.models import Suggestion

    assert sorted(db.scalars(sa.select(Suggestion.state))) == ["accepted", "declined",
                                                               "pending"]
    from advocacy.engagement.models import UserBadge

    badges = set(db.scalars(sa.select(UserBadge.badge)))
    assert {"first_share", "shares_10", "guidelines", "worksheet"} <= badges
    from advocacy.feeds.models import FeedEntry, NewsFeed

    assert db.scalar(sa.select(sa.func.count(NewsFeed.id))) == 2
    assert set(db.scalars(sa.select(FeedEntry.outcome))) == {"published", "created",
                                                              "duplicate"}
    from advocacy.challenges.models import Challenge, ChallengeResult

    assert db.scalar(sa.select(sa.func.count(Challenge.id))) == 3
    assert db.scalar(sa.select(sa.func.count(ChallengeResult.id))) >= 3  # last month's
    from advocacy.rewards.models import Redemption

    assert sorted(db.scalars(sa.select(Redemption.state))) == ["fulfilled", "requested"]
    from advocacy.training.models import TrainingProgress

    assert db.scalar(sa.select(sa.func.count(TrainingProgress.user_id))) >= 10
    assert "trained" in set(db.scalars(sa.select(UserBadge.badge)))
    assert db.scalar(sa.select(sa.func.count()).select_from(Share)
                     .where(Share.anon_person.is_not(None))) >= 1  # a former colleague's


def test_token_keys_rotate_without_losing_a_secret(app, db, make_user):
    """A new key goes in front; after the command the old key can go."""
    from advocacy.accounts.models import SocialAccount
    from advocacy.crypto import SecretError, Vault, vault
    from tests.conftest import TEST_TOKEN_KEY

    old = Vault([TEST_TOKEN_KEY])
    user = make_user()
    account = SocialAccount(user_id=user.id, network="mastodon", handle="@ana@example.social",
                            external_id="1", base_url="https://example.social")
    db.add(account)
    db.flush()
    account.access_token_enc = old.seal(f"account:{account.id}:access_token", "tok-123")
    db.commit()

    fresh = run(app, "advocacy", "new-token-key").strip()
    assert fresh != TEST_TOKEN_KEY and len(fresh) == 44
    app.extensions["advocacy.vault"] = Vault([fresh, TEST_TOKEN_KEY])
    assert "1 stored secrets now use the newest key" in run(app, "advocacy",
                                                            "rotate-token-keys")
    db.expire_all()
    sealed = db.get(SocialAccount, account.id).access_token_enc
    assert Vault([fresh]).open(f"account:{account.id}:access_token", sealed) == "tok-123"
    with pytest.raises(SecretError):
        old.open(f"account:{account.id}:access_token", sealed)

    app.extensions["advocacy.vault"] = Vault([TEST_TOKEN_KEY])  # the new key was lost
    result = app.test_cli_runner().invoke(args=["advocacy", "rotate-token-keys"])
    assert result.exit_code != 0 and "nothing was changed" in result.output
    db.expire_all()
    assert db.get(SocialAccount, account.id).access_token_enc == sealed
    assert vault(app) is app.extensions["advocacy.vault"]


def test_demo_shows_posting_by_api(app, db, client):
    """Connected accounts, posts in every state with measured engagement, a draft."""
    from advocacy.content.models import ContentItem
    from advocacy.sharing.models import ExecutiveDraft, OutboxPost, Share

    run(app, "advocacy", "demo", "--password", "demo words 123")
    states = dict(db.execute(sa.select(OutboxPost.state, sa.func.count())
                             .group_by(OutboxPost.state)).all())
    assert states.keys() == {"posted", "queued", "failed", "unknown", "in_doubt"}
    assert states["posted"] >= 6
    reached = db.execute(sa.select(sa.func.sum(Share.click_count), sa.func.sum(OutboxPost.likes))
                         .join(OutboxPost, OutboxPost.share_id == Share.id)
                         .where(OutboxPost.state == "posted")).one()
    assert all(number > 0 for number in reached)
    draft = db.scalar(sa.select(ExecutiveDraft))
    assert draft.state == "proposed" and draft.executive.email == "exec@example.com"
    suggested = db.scalar(sa.select(ContentItem).where(ContentItem.suggested_post_at.is_not(None)))
    assert suggested is not None and suggested.state == "approved"

    client.login("employee@example.com", "demo words 123")
    assert 'class="hint suggested-time"' in client.get(f"/share/{suggested.id}").get_data(
        as_text=True)
    assert "account-card needs-attention" in client.get("/accounts/").get_data(as_text=True)
    shares = client.get("/shares").get_data(as_text=True)
    for shown in ('"post-state queued"', '"post-state waiting"', '"post-state failed"',
                  '"post-state posted"', '"post-state unknown"', '"post-state in_doubt"',
                  # The demo employee reads German, what the network said too:
                  "hat nicht rechtzeitig geantwortet", "In meinem Profil nachsehen",
                  "Stattdessen per Link teilen"):
        assert shown in shares, shown
    client.logout()
    client.login("admin@example.com", "demo words 123")
    costs = client.get("/posting/costs").get_data(as_text=True)
    assert 'value="300"' in costs and 'value="60.00"' in costs
    client.logout()
    client.login("exec@example.com", "demo words 123")
    assert "/drafts/mine" in client.get("/").get_data(as_text=True)
    assert f"/drafts/{draft.id}/review" in client.get("/drafts/mine").get_data(as_text=True)
    assert "<progress value=\"6\" max=\"10\">" in client.get(
        "/brand/ceo/7").get_data(as_text=True)


def test_demo_shows_the_personal_brand(app, db, client):
    """Worksheets steer feeds, a coach reads a shared one, numbers have history."""
    from advocacy.accounts.models import FollowerCount
    from advocacy.brand.models import Worksheet

    run(app, "advocacy", "demo", "--password", "demo words 123")
    sheets = {s.user.email: s for s in db.scalars(sa.select(Worksheet))}
    assert sheets["sme@example.com"].completed_at is not None
    assert sheets["employee@example.com"].completed_at is None  # a draft
    assert sheets["sme@example.com"].version == 2
    assert db.scalar(sa.select(sa.func.count()).select_from(FollowerCount)) > 30

    client.login("sme@example.com", "demo words 123")
    assert 'class="why-shown"' in client.get("/").get_data(as_text=True)
    assert "Shown for you" in client.get("/?for_you=1").get_data(as_text=True)
    overview = client.get("/brand/overview").get_data(as_text=True)
    assert 'class="number-expert"' in overview and "<meter" in overview
    assert "/brand/compare" in client.get("/brand/versions").get_data(as_text=True)
    numbers = client.get("/me/numbers").get_data(as_text=True)
    assert re.search(r'<span class="stat-value">[1-9]', numbers)  # the demo's shares count
    client.logout()
    client.login("comms@example.com", "demo words 123")
    coached = client.get("/brand/coaching").get_data(as_text=True)
    sme = sheets["sme@example.com"]
    assert f"/brand/coaching/{sme.user_id}" in coached
    assert client.get(f"/brand/coaching/{sme.user_id}").status_code == 200
    # The reports come alive too (in German, the demo comms person's language).
    health = client.get("/reports/health").get_data(as_text=True)
    assert "neu verbunden werden" in health and "Aktive Botschafter pro Monat" in health
    assert "Alle verbundenen Konten funktionieren." not in health
    summary = client.get("/reports/summary").get_data(as_text=True)
    assert "Employee Advocacy: Quartalsübersicht" in summary and "<svg" in summary
