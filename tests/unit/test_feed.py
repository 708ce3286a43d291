"""The feed shows exactly the live items meant for the person, pinned first, newest next."""

from __future__ import annotations

import datetime as dt

import pytest

from advocacy.content.models import Topic
from advocacy.db import utcnow
from advocacy.people.models import Tier
from advocacy.sharing.services import FEED_PAGE_SIZE, feed, visible_item
from tests import factories


@pytest.fixture
def person(db):
    group = factories.make_group(db, name="Vertrieb")
    user = factories.make_user(db, tier_id=2, language="de", groups=[group])
    db.commit()
    return user


def titles(db, user, **kwargs) -> list[str]:
    return [item.title for item in feed(db, user, **kwargs).items]


def test_only_live_items(db, person):
    now = utcnow()
    factories.make_item(db, title="live", language="de")
    factories.make_item(db, title="draft", language="de", state="draft")
    factories.make_item(db, title="review", language="de", state="review")
    factories.make_item(db, title="expired", language="de",
                        expire_at=now - dt.timedelta(minutes=1))
    factories.make_item(db, title="scheduled", language="de",
                        live_from=now + dt.timedelta(hours=1))
    factories.make_item(db, title="archived", language="de", state="archived")
    db.commit()
    assert titles(db, person) == ["live"]


def test_language_follows_the_person(db, person):
    factories.make_item(db, title="deutsch", language="de")
    factories.make_item(db, title="english", language="en")
    db.commit()
    assert titles(db, person) == ["deutsch"]
    person.content_languages = "de,en"
    db.commit()
    assert sorted(titles(db, person)) == ["deutsch", "english"]
    person.content_languages = "en"
    assert titles(db, person) == ["english"]


def test_tier_targeting(db, person):
    one = db.get(Tier, 1)
    two = db.get(Tier, 2)
    factories.make_item(db, title="everyone", language="de")
    factories.make_item(db, title="tier 1", language="de", target_tiers=[one])
    factories.make_item(db, title="tier 1+2", language="de", target_tiers=[one, two])
    db.commit()
    assert sorted(titles(db, person)) == ["everyone", "tier 1+2"]


def test_group_targeting(db, person):
    other = factories.make_group(db, name="Marketing")
    mine = person.groups[0]
    factories.make_item(db, title="everyone", language="de")
    factories.make_item(db, title="marketing", language="de", target_groups=[other])
    factories.make_item(db, title="sales", language="de", target_groups=[mine, other])
    db.commit()
    assert sorted(titles(db, person)) == ["everyone", "sales"]


def test_tier_and_group_must_both_match(db, person):
    one = db.get(Tier, 1)
    factories.make_item(db, title="tier 1 in my group", language="de", target_tiers=[one],
                        target_groups=[person.groups[0]])
    db.commit()
    assert titles(db, person) == []


def test_pinned_first_then_newest(db, person):
    now = utcnow()
    factories.make_item(db, title="old", language="de", live_from=now - dt.timedelta(days=3))
    factories.make_item(db, title="new", language="de", live_from=now - dt.timedelta(days=1))
    factories.make_item(db, title="pinned old", language="de", is_pinned=True,
                        live_from=now - dt.timedelta(days=9))
    db.commit()
    assert titles(db, person) == ["pinned old", "new", "old"]


def test_topic_filter(db, person):
    cloud = Topic(name="Cloud")
    factories.make_item(db, title="cloud", language="de", topics=[cloud])
    factories.make_item(db, title="other", language="de")
    db.commit()
    assert titles(db, person, topic_id=cloud.id) == ["cloud"]


def test_pages_of_twenty(db, person):
    for _ in range(FEED_PAGE_SIZE + 3):
        factories.make_item(db, language="de")
    db.commit()
    first, second = feed(db, person, page=1), feed(db, person, page=2)
    assert (len(first.items), len(second.items)) == (20, 3)
    assert (first.pages, first.total) == (2, 23)
    assert not {i.id for i in first.items} & {i.id for i in second.items}


def test_shared_items_are_marked(db, person):
    item = factories.make_item(db, language="de")
    other = factories.make_item(db, language="de")
    factories.make_share(db, item=item, user=person)
    db.commit()
    page = feed(db, person)
    assert page.shared_ids == {item.id}
    assert other.id not in page.shared_ids


def test_visible_item_applies_the_same_rules(db, person):
    live = factories.make_item(db, language="de")
    hidden = factories.make_item(db, language="de", target_tiers=[db.get(Tier, 1)])
    db.commit()
    assert visible_item(db, person, live.id) is not None
    assert visible_item(db, person, hidden.id) is None
    assert visible_item(db, person, 999_999) is None
