"""Rewards: off unless an admin offers them; redeeming spends spendable points (lifetime
points stay), never more than a person has nor more than the stock, once per form even
when sent twice or by two requests at once; admins hand over or decline (points back)."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from advocacy import create_app
from advocacy.admin.services import get_settings, save_settings
from advocacy.db import get_database, session_scope, utcnow
from advocacy.engagement.services import award, points_of
from advocacy.errors import DomainError
from advocacy.governance.services import GuidelineData, publish_guideline
from advocacy.notifications.models import Notification
from advocacy.people.models import User
from advocacy.rewards import services
from advocacy.rewards.models import Redemption, Reward
from tests import factories
from tests.conftest import base_config

ZONE = "Europe/Berlin"


def give_points(db, user, points, ref=1):
    """Points as the programme gives them (a challenge bonus: exact and not capped)."""
    award(db, user.id, "challenge", "challenge", ref, get_settings(db), utcnow(), ZONE,
          bonus=points)


def reward(db, **fields) -> Reward:
    row = Reward(**{"name": "Company hoodie", "price": 60, "stock": 2, **fields})
    db.add(row)
    db.flush()
    return row


@pytest.fixture
def offered(db):
    save_settings(db, {"rewards_enabled": True})
    db.commit()


@pytest.fixture
def erin(db, make_user):
    person = make_user(name="Erin Employee")
    give_points(db, person, 100)
    db.commit()
    return person


def nonce_of(page: str) -> str:
    return page.split('name="nonce" type="hidden" value="')[1].split('"')[0]


def redeem(client, reward_id, nonce=None):
    if nonce is None:
        nonce = nonce_of(client.get("/rewards/").get_data(as_text=True))
    return client.post_form(f"/rewards/{reward_id}/redeem", {"nonce": nonce},
                            follow_redirects=True).get_data(as_text=True)


def test_redeeming_spends_points_but_not_the_lifetime_ones(client, db, offered, erin):
    hoodie = reward(db)
    db.commit()
    client.login(erin.email)
    page = redeem(client, hoodie.id)
    assert "“Company hoodie” for 60 points" in page
    assert services.balance(db, erin.id) == services.Balance(lifetime=100, spent=60)
    assert points_of(db, erin.id, "all", utcnow().date()) == 100  # level and boards keep it
    db.expire_all()
    assert db.get(Reward, hoodie.id).stock == 1
    # 40 points left: a second hoodie is too dear (no button), and a hand-made request
    # leaves nothing behind.
    assert "20 more points needed" in client.get("/rewards/").get_data(as_text=True)
    assert "You do not have enough points" in redeem(client, hoodie.id, "e" * 32)
    assert services.balance(db, erin.id).spent == 60
    db.expire_all()
    assert db.get(Reward, hoodie.id).stock == 1
    assert "Requested" in client.get("/rewards/").get_data(as_text=True)


def test_a_refused_redemption_changes_nothing(client, db, offered, erin):
    dear = reward(db, name="Tablet", price=500, stock=1)
    db.commit()
    client.login(erin.email)
    page = client.get("/rewards/").get_data(as_text=True)
    assert "400 more points needed" in page  # no button offered
    page = redeem(client, dear.id, nonce="a" * 32)  # a hand-made request anyway
    assert "You do not have enough points for this reward yet." in page
    db.expire_all()
    assert db.get(Reward, dear.id).stock == 1  # the stock taken first went back
    assert db.scalar(sa.select(sa.func.count(Redemption.id))) == 0


def test_the_same_form_sent_twice_redeems_once(client, db, offered, erin):
    pin = reward(db, name="Pin", price=10, stock=None)
    db.commit()
    client.login(erin.email)
    nonce = nonce_of(client.get("/rewards/").get_data(as_text=True))
    redeem(client, pin.id, nonce)
    redeem(client, pin.id, nonce)
    assert db.scalar(sa.select(sa.func.count(Redemption.id))) == 1
    assert services.balance(db, erin.id).spent == 10
    redeem(client, pin.id)  # a new form: a second pin
    assert services.balance(db, erin.id).spent == 20


def test_out_of_stock_and_withdrawn_rewards_cannot_be_redeemed(client, db, offered, erin):
    gone = reward(db, name="Mug", price=5, stock=0)
    old = reward(db, name="Old cap", price=5, active=False)
    db.commit()
    client.login(erin.email)
    page = client.get("/rewards/").get_data(as_text=True)
    assert "Out of stock" in page and "Old cap" not in page
    assert "out of stock" in redeem(client, gone.id, "b" * 32)
    assert "no longer offered" in redeem(client, old.id, "c" * 32)
    assert services.balance(db, erin.id).spent == 0


def test_rewards_are_off_until_an_admin_offers_them(client, db, erin, make_user):
    hoodie = reward(db)
    admin = make_user(roles={"admin", "employee"}, name="Ada Admin")
    db.commit()
    client.login(erin.email)
    page = client.get("/rewards/").get_data(as_text=True)
    assert "No rewards are offered" in page and "Company hoodie" not in page
    assert "Rewards are not offered" in redeem(client, hoodie.id, "d" * 32)
    assert "rewards-disclosure" not in client.get("/guidelines").get_data(as_text=True)
    client.login(admin.email)
    assert client.post_form("/rewards/manage/offer", {"rewards_enabled": "y"}).status_code == 302
    client.login(erin.email)
    assert "Company hoodie" in client.get("/rewards/").get_data(as_text=True)
    assert "/rewards/" in client.get("/points").get_data(as_text=True)


def test_the_guidelines_remind_that_rewarded_posts_need_disclosure(client, db, offered, erin,
                                                                   make_user):
    admin = make_user(roles={"admin", "employee"})
    publish_guideline(db, admin, {"en": GuidelineData("Guidelines", "<p>Be kind.</p>")}, utcnow())
    db.commit()
    client.login(erin.email)
    page = client.get("/guidelines").get_data(as_text=True)
    assert 'id="rewards-disclosure"' in page and "always say that you work for" in page


def test_admins_hand_over_or_decline_with_points_back(client, db, offered, erin, make_user):
    admin = make_user(roles={"admin", "employee"}, name="Ada Admin")
    hoodie, pin = reward(db), reward(db, name="Pin", price=10, stock=None)
    db.commit()
    client.login(erin.email)
    redeem(client, hoodie.id)
    redeem(client, pin.id)
    first, second = db.scalars(sa.select(Redemption).order_by(Redemption.id))
    client.login(admin.email)
    page = client.get("/rewards/manage").get_data(as_text=True)
    assert "Erin Employee" in page and page.count('id="request-') == 2
    assert client.post_form(f"/rewards/requests/{first.id}/fulfil").status_code == 302
    response = client.post_form(f"/rewards/requests/{second.id}/decline", {"reason": ""})
    assert response.status_code == 400  # a reason is needed
    client.post_form(f"/rewards/requests/{second.id}/decline",
                     {"reason": "Pins are sold out."})
    again = client.post_form(f"/rewards/requests/{first.id}/decline", {"reason": "Oops"},
                             follow_redirects=True).get_data(as_text=True)
    assert "already been dealt with" in again
    db.expire_all()
    assert [r.state for r in db.scalars(sa.select(Redemption).order_by(Redemption.id))] == [
        "fulfilled", "cancelled"]
    assert services.balance(db, erin.id).spent == 60  # the pin's 10 points came back
    assert db.get(Reward, hoodie.id).stock == 1
    kinds = list(db.scalars(sa.select(Notification.kind).where(
        Notification.user_id == erin.id).order_by(Notification.id)))
    assert kinds[-2:] == ["reward_fulfilled", "reward_cancelled"]
    client.login(erin.email)
    mine = client.get("/rewards/").get_data(as_text=True)
    assert "Handed over" in mine and "Pins are sold out." in mine


def test_only_admins_manage_rewards(client, db, erin, make_user):
    client.login(erin.email)
    assert client.get("/rewards/manage").status_code == 403
    assert client.post_form("/rewards/manage/new", {"name": "x", "price": "1"}).status_code == 403
    admin = make_user(roles={"admin", "employee"})
    db.commit()
    client.login(admin.email)
    response = client.post_form("/rewards/manage/new", {"name": "Free", "price": "0"})
    assert response.status_code == 400
    assert "Number must be between 1 and 1000000." in response.get_data(as_text=True)
    assert client.post_form("/rewards/manage/new", {
        "name": "Donation", "price": "200", "stock": "", "active": "y"}).status_code == 302
    donation = db.scalar(sa.select(Reward))
    assert (donation.price, donation.stock, donation.active) == (200, None, True)


@pytest.mark.parametrize("fresh_database_url", ["sqlite", "postgresql"], indirect=True)
def test_two_requests_at_once_cannot_overspend(fresh_database_url, tmp_path):
    """Two redemptions of the last affordable reward, sent at the same moment from two
    connections, committed for real: exactly one goes through."""
    app = create_app(base_config(fresh_database_url, UPLOAD_DIR=str(tmp_path)))
    with app.app_context(), session_scope(app) as session:
        save_settings(session, {"rewards_enabled": True})
        person = factories.make_user(session)
        give_points(session, person, 100)
        prize = reward(session, price=70, stock=None)
        person_id, prize_id = person.id, prize.id
    start, outcomes = threading.Barrier(2), []

    def attempt(nonce: str) -> None:
        start.wait()
        try:
            with app.app_context(), session_scope(app) as session:
                services.redeem(session, session.get(User, person_id), prize_id, nonce,
                                get_settings(session), utcnow())
            outcomes.append("redeemed")
        except (DomainError, sa.exc.OperationalError) as exc:  # refused, or lost the lock
            outcomes.append(type(exc).__name__)

    threads = [threading.Thread(target=attempt, args=(n * 32,)) for n in "xy"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    try:
        assert outcomes.count("redeemed") == 1, outcomes
        with app.app_context(), session_scope(app) as session:
            assert services.balance(session, person_id).spent == 70
            assert session.scalar(sa.select(sa.func.count(Redemption.id))) == 1
    finally:
        get_database(app).engine.dispose()
