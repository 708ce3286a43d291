"""The content library's services: saving items, the review workflow, withdrawal, the list."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
import sqlalchemy as sa

from advocacy.admin.services import get_settings
from advocacy.content import services
from advocacy.content.models import ContentItem, ShareText, Topic
from advocacy.content.services import ItemData, ItemFilter, TextData, normalize_hashtags
from advocacy.db import utcnow
from advocacy.errors import DomainError
from tests import factories

BASE_URL = "http://localhost"
# What the X budget adds to every text with the default English disclosure line and no
# company name: "\n\n" + "I work at . #employee" (21) + "\n" + the tracked link. X counts a
# link 23 only when it knows its top-level domain; "localhost" it does not, so the link
# "http://localhost/r/" + a 10-character code counts in full (29; 23 before issue 16).
X_OVERHEAD = 2 + 21 + 1 + 29
X_LIMIT = 280


@pytest.fixture(autouse=True)
def english(app):
    """Services put their refusals into words: English, for the assertions."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


@pytest.fixture
def author(db):
    return factories.make_user(db, roles={"comms", "employee"}, name="Anna Author")


@pytest.fixture
def approver(db):
    return factories.make_user(db, roles={"comms", "employee"}, name="Bernd Approver")


@pytest.fixture
def settings(db):
    return get_settings(db)


def data(**overrides) -> ItemData:
    values = {"title": "Our new office", "url": "https://example.com/office",
              "language": "en", "texts": [TextData("Have a look at our new office")]}
    values.update(overrides)
    return ItemData(**values)


def draft(db, author, **overrides) -> ContentItem:
    item = services.save_item(db, author, None, data(**overrides))
    db.commit()
    return item


def in_review(db, author, settings, **overrides) -> ContentItem:
    item = draft(db, author, **overrides)
    services.submit_for_review(db, author, item, settings, BASE_URL)
    db.commit()
    return item


def refused(call, *args, **kwargs) -> str:
    with pytest.raises(DomainError) as error:
        call(*args, **kwargs)
    return error.value.message


class TestNormalizeHashtags:
    @pytest.mark.parametrize(("raw", "expected"), [
        ("#Cloud, ai  ##KI", "#Cloud #ai #KI"),
        ("#Cloud #cloud CLOUD", "#Cloud"),
        ("#Gen-AI! (beta); #Köln", "#GenAI #beta #Köln"),
        ("new_work", "#new_work"),
        ("# , ## ;", ""),
        ("", ""),
        (None, ""),
    ])
    def test_normalizes(self, raw, expected):
        assert normalize_hashtags(raw) == expected


class TestSaveItem:
    def test_new_item_is_a_draft_with_cleaned_fields(self, db, author):
        item = services.save_item(db, author, None, data(
            title="  Spaced title  ", url=" https://example.com/x ", summary=" Short. ",
            body_html='<p onclick="x()">Read <strong>this</strong></p><script>alert(1)</script>',
            hashtags="cloud, #KI ##ki", source_class="external", intention="educate",
            is_pinned=True))
        db.commit()
        db.expire_all()
        item = db.get(ContentItem, item.id)
        assert (item.state, item.created_by_id) == ("draft", author.id)
        assert (item.title, item.url, item.summary) == ("Spaced title", "https://example.com/x",
                                                        "Short.")
        assert item.body_html == "<p>Read <strong>this</strong></p>"
        assert item.hashtags == "#cloud #KI"
        assert (item.language, item.source_class, item.intention, item.is_pinned) == (
            "en", "external", "educate", True)
        assert item.live_from is None

    def test_topics_are_created_once_and_matched_case_insensitively(self, db, author):
        first = draft(db, author, topics=["Cloud", " Careers ", ""])
        second = draft(db, author, topics=["cloud", "New   Work"])
        db.expire_all()
        assert [t.name for t in db.get(ContentItem, first.id).topics] == ["Careers", "Cloud"]
        assert [t.name for t in db.get(ContentItem, second.id).topics] == ["Cloud", "New Work"]
        names = db.scalars(sa.select(Topic.name).order_by(Topic.name)).all()
        assert names == ["Careers", "Cloud", "New Work"]

    def test_same_topic_twice_in_one_input(self, db, author):
        item = draft(db, author, topics=["Cloud", "cloud"])
        assert [t.name for t in item.topics] == ["Cloud"]

    def test_targets_are_saved_and_replaced(self, db, author):
        sales = factories.make_group(db, name="Sales")
        berlin = factories.make_group(db, kind="location", name="Berlin")
        item = draft(db, author, tier_ids={1, 2}, group_ids={sales.id, berlin.id})
        db.expire_all()
        item = db.get(ContentItem, item.id)
        assert sorted(t.id for t in item.target_tiers) == [1, 2]
        assert sorted(g.name for g in item.target_groups) == ["Berlin", "Sales"]
        services.save_item(db, author, item, data(tier_ids={3}, group_ids=set()))
        db.commit()
        db.expire_all()
        item = db.get(ContentItem, item.id)
        assert [t.id for t in item.target_tiers] == [3]
        assert item.target_groups == []

    def test_share_texts_are_replaced_keeping_usage_of_unchanged_ones(self, db, author):
        item = draft(db, author, texts=[TextData("Kept one"), TextData("Dropped", "x"),
                                        TextData("Kept for X", "x", 2), TextData("   ")])
        assert [(t.text, t.network, t.tier_id, t.position) for t in item.share_texts] == [
            ("Kept one", None, None, 0), ("Dropped", "x", None, 1), ("Kept for X", "x", 2, 2)]
        kept_id = item.share_texts[0].id
        item.share_texts[0].times_used = 7
        item.share_texts[2].times_used = 3
        db.commit()

        services.save_item(db, author, item, data(texts=[
            TextData("Brand new", "linkedin"), TextData("Kept for X", "x", 2),
            TextData(" Kept one ", "", 0)]))
        db.commit()
        db.expire_all()
        rows = db.scalars(sa.select(ShareText).where(ShareText.item_id == item.id)
                          .order_by(ShareText.position)).all()
        assert [(r.text, r.network, r.tier_id, r.position, r.times_used) for r in rows] == [
            ("Brand new", "linkedin", None, 0, 0), ("Kept for X", "x", 2, 1, 3),
            ("Kept one", None, None, 2, 7)]
        assert rows[2].id == kept_id

    def test_changed_network_is_a_new_text(self, db, author):
        item = draft(db, author, texts=[TextData("Same words")])
        item.share_texts[0].times_used = 5
        db.commit()
        services.save_item(db, author, item, data(texts=[TextData("Same words", "x")]))
        db.commit()
        db.expire_all()
        [row] = db.get(ContentItem, item.id).share_texts
        assert (row.network, row.times_used) == ("x", 0)

    def test_an_over_budget_draft_can_be_saved(self, db, author):
        item = draft(db, author, texts=[TextData("y" * 300, "x")])
        db.expire_all()
        item = db.get(ContentItem, item.id)
        assert item.state == "draft"
        assert item.share_texts[0].text == "y" * 300

    def test_archived_items_cannot_be_changed(self, db, author):
        item = draft(db, author)
        services.archive(db, item)
        assert refused(services.save_item, db, author, item, data(title="Changed")) == (
            "Restore the item to a draft before changing it.")


class TestSubmit:
    def test_submit_moves_a_draft_to_review(self, db, author, approver, settings):
        item = draft(db, author)
        services.submit_for_review(db, approver, item, settings, BASE_URL)
        db.commit()
        db.expire_all()
        item = db.get(ContentItem, item.id)
        assert (item.state, item.created_by_id, item.submitted_by_id) == (
            "review", author.id, approver.id)

    def test_item_without_texts_is_refused(self, db, author, settings):
        item = draft(db, author, texts=[])
        assert refused(services.submit_for_review, db, author, item, settings, BASE_URL) == (
            "Add at least one suggested share text.")
        assert item.state == "draft"

    def test_text_too_long_for_x_is_refused_naming_the_network(self, db, author, settings):
        item = draft(db, author, texts=[TextData("Fine anywhere"), TextData("y" * 300, "x")])
        message = refused(services.submit_for_review, db, author, item, settings, BASE_URL)
        assert message == "Text 2 is too long for X (with the disclosure line and the link)."
        assert item.state == "draft"

    def test_budget_counts_the_disclosure_line_and_the_link(self, db, author, settings):
        fits = X_LIMIT - X_OVERHEAD
        over = draft(db, author, texts=[TextData("y" * (fits + 1), "x")])
        assert "too long for X" in refused(services.submit_for_review, db, author, over,
                                           settings, BASE_URL)
        exact = draft(db, author, texts=[TextData("y" * fits, "x")])
        services.submit_for_review(db, author, exact, settings, BASE_URL)
        assert exact.state == "review"

    def test_a_longer_disclosure_line_uses_up_the_budget(self, db, author, settings):
        named = dataclasses.replace(settings, company_name="Muster AG")  # nine more characters
        item = draft(db, author, texts=[TextData("y" * (X_LIMIT - X_OVERHEAD), "x")])
        assert refused(services.submit_for_review, db, author, item, named, BASE_URL) == (
            "Text 1 is too long for X (with the disclosure line and the link).")

    def test_a_text_for_any_network_is_checked_where_no_specific_one_exists(
            self, db, author, settings):
        long_any = "y" * 260  # over X (280) and Bluesky (300) once the extras are added
        item = draft(db, author, texts=[TextData(long_any)])
        message = refused(services.submit_for_review, db, author, item, settings, BASE_URL)
        assert "Text 1 is too long for X" in message
        assert "Text 1 is too long for Bluesky" in message
        assert "Mastodon" not in message and "LinkedIn" not in message

        services.save_item(db, author, item, data(texts=[TextData("Short for X", "x"),
                                                         TextData(long_any)]))
        message = refused(services.submit_for_review, db, author, item, settings, BASE_URL)
        assert message == ("Text 2 is too long for Bluesky (with the disclosure line and the "
                           "link).")

    def test_only_drafts_can_be_submitted(self, db, author, settings):
        item = in_review(db, author, settings)
        assert refused(services.submit_for_review, db, author, item, settings, BASE_URL) == (
            "Only drafts can be submitted for review.")


class TestApprove:
    def test_author_cannot_approve_with_four_eyes(self, db, author, settings):
        assert settings.four_eyes is True  # the default
        item = in_review(db, author, settings)
        message = refused(services.approve, db, author, item, settings, BASE_URL)
        assert message.startswith("Four-eyes principle")
        assert item.state == "review" and item.approved_by_id is None

    def test_submitter_cannot_approve_with_four_eyes(self, db, author, approver, settings):
        item = draft(db, author)
        services.submit_for_review(db, approver, item, settings, BASE_URL)
        assert refused(services.approve, db, approver, item, settings, BASE_URL).startswith(
            "Four-eyes principle")
        third = factories.make_user(db, roles={"comms", "employee"})
        services.approve(db, third, item, settings, BASE_URL)
        assert (item.state, item.approved_by_id) == ("approved", third.id)

    def test_someone_else_approves_and_it_goes_live_now(self, db, author, approver, settings):
        item = in_review(db, author, settings)
        now = utcnow().replace(microsecond=0)
        services.approve(db, approver, item, settings, BASE_URL, now=now)
        db.commit()
        db.expire_all()
        item = db.get(ContentItem, item.id)
        assert (item.state, item.approved_by_id) == ("approved", approver.id)
        assert item.approved_at == now
        assert item.live_from == now
        assert item.is_live(now + dt.timedelta(seconds=1))

    def test_without_four_eyes_the_author_may_approve(self, db, author, settings):
        relaxed = dataclasses.replace(settings, four_eyes=False)
        item = in_review(db, author, relaxed)
        services.approve(db, author, item, relaxed, BASE_URL)
        assert (item.state, item.approved_by_id) == ("approved", author.id)

    def test_future_publish_at_sets_live_from(self, db, author, approver, settings):
        now = utcnow().replace(microsecond=0)
        later = now + dt.timedelta(days=2)
        item = in_review(db, author, settings, publish_at=later)
        services.approve(db, approver, item, settings, BASE_URL, now=now)
        db.commit()
        db.expire_all()
        item = db.get(ContentItem, item.id)
        assert item.live_from == later
        assert item.approved_at == now
        assert not item.is_live(now)
        assert item.is_live(later)

    def test_past_publish_at_goes_live_now(self, db, author, approver, settings):
        now = utcnow().replace(microsecond=0)
        item = in_review(db, author, settings, publish_at=now - dt.timedelta(days=3))
        services.approve(db, approver, item, settings, BASE_URL, now=now)
        assert item.live_from == now

    def test_only_items_in_review_can_be_approved(self, db, author, approver, settings):
        item = draft(db, author)
        assert refused(services.approve, db, approver, item, settings, BASE_URL) == (
            "Only items in review can be approved.")

    def test_expired_or_unlicensed_items_are_not_approved(self, db, author, approver,
                                                          settings):
        now = utcnow()
        item = in_review(db, author, settings, expire_at=now + dt.timedelta(hours=1))
        message = refused(services.approve, db, approver, item, settings, BASE_URL,
                          now=now + dt.timedelta(hours=2))
        assert message == "The expiry date has passed."

        item = in_review(db, author, settings, image_licence="CC BY 4.0",
                         image_licence_ends_on=(now + dt.timedelta(days=3)).date())
        message = refused(services.approve, db, approver, item, settings, BASE_URL,
                          now=now + dt.timedelta(days=5))
        assert message == "The image licence has ended."

        item = in_review(db, author, settings)
        services.set_image(db, item, "abc.png")
        assert refused(services.approve, db, approver, item, settings, BASE_URL) == (
            "Say under which licence the image may be used.")

    def test_editing_an_approved_item_sends_it_back_to_review(self, db, author, approver,
                                                              settings):
        item = in_review(db, author, settings)
        services.approve(db, approver, item, settings, BASE_URL)
        db.commit()
        editor = factories.make_user(db, roles={"comms", "employee"})
        services.save_item(db, editor, item, data(title="Corrected title"))
        db.commit()
        db.expire_all()
        item = db.get(ContentItem, item.id)
        assert item.title == "Corrected title"
        assert (item.state, item.submitted_by_id) == ("review", editor.id)
        assert item.live_from is None and item.approved_at is None
        assert item.approved_by_id is None
        assert not item.is_live(utcnow())
        # the editor submitted the change: four eyes means someone else approves it
        assert refused(services.approve, db, editor, item, settings, BASE_URL).startswith(
            "Four-eyes")
        services.approve(db, approver, item, settings, BASE_URL)
        assert item.state == "approved"


class TestTransitions:
    def test_return_to_draft_from_review(self, db, author, settings):
        item = in_review(db, author, settings)
        services.return_to_draft(db, item)
        assert item.state == "draft"

    def test_return_to_draft_takes_an_approved_item_off_the_feed(self, db, author, approver,
                                                                  settings):
        item = in_review(db, author, settings)
        services.approve(db, approver, item, settings, BASE_URL)
        services.return_to_draft(db, item)
        db.commit()
        db.expire_all()
        item = db.get(ContentItem, item.id)
        assert item.state == "draft"
        assert (item.live_from, item.approved_at, item.approved_by_id) == (None, None, None)

    @pytest.mark.parametrize("state", ["draft", "archived"])
    def test_return_to_draft_refused(self, db, state):
        item = factories.make_item(db, state=state)
        assert refused(services.return_to_draft, db, item) == (
            "This item is not in review or live.")
        assert item.state == state

    @pytest.mark.parametrize("state", ["draft", "review", "approved", "expired"])
    def test_archive_from_any_state(self, db, state):
        item = factories.make_item(db, state=state)
        services.archive(db, item)
        db.commit()
        db.expire_all()
        item = db.get(ContentItem, item.id)
        assert (item.state, item.live_from) == ("archived", None)

    @pytest.mark.parametrize("state", ["archived", "expired"])
    def test_restore_makes_a_draft(self, db, state):
        item = factories.make_item(db, state=state, withdrawn_reason="licence")
        services.restore(db, item)
        db.commit()
        db.expire_all()
        item = db.get(ContentItem, item.id)
        assert (item.state, item.withdrawn_reason) == ("draft", None)

    @pytest.mark.parametrize("state", ["draft", "review", "approved"])
    def test_restore_refused(self, db, state):
        item = factories.make_item(db, state=state)
        assert refused(services.restore, db, item) == (
            "Only archived or expired items can be restored.")
        assert item.state == state


class TestWithdrawExpired:
    def test_withdraws_expired_and_unlicensed_items_only(self, db):
        now = utcnow()
        today = now.date()
        expired = factories.make_item(db, expire_at=now - dt.timedelta(minutes=1))
        unlicensed = factories.make_item(db, image_licence_ends_on=today - dt.timedelta(days=1))
        licence_today = factories.make_item(db, image_licence_ends_on=today)
        running = factories.make_item(db, expire_at=now + dt.timedelta(days=1))
        plain = factories.make_item(db)
        old_draft = factories.make_item(db, state="draft", expire_at=now - dt.timedelta(days=1))
        db.commit()

        assert services.withdraw_expired(db, now) == 2
        db.commit()
        db.expire_all()
        states = {item.id: (db.get(ContentItem, item.id).state,
                            db.get(ContentItem, item.id).withdrawn_reason)
                  for item in (expired, unlicensed, licence_today, running, plain, old_draft)}
        assert states == {
            expired.id: ("expired", "expired"), unlicensed.id: ("expired", "licence"),
            licence_today.id: ("approved", None), running.id: ("approved", None),
            plain.id: ("approved", None), old_draft.id: ("draft", None)}
        assert db.get(ContentItem, expired.id).live_from is None
        assert db.get(ContentItem, unlicensed.id).live_from is None
        assert db.get(ContentItem, plain.id).live_from is not None

    def test_nothing_to_do_twice(self, db):
        factories.make_item(db, expire_at=utcnow() - dt.timedelta(hours=1))
        db.commit()
        assert services.withdraw_expired(db) == 1
        assert services.withdraw_expired(db) == 0


class TestListItems:
    def test_filters(self, db, author):
        campaign = factories.make_campaign(db)
        in_campaign = draft(db, author, title="Campaign kickoff", campaign_id=campaign.id,
                            topics=["Cloud"])
        review = factories.make_item(db, title="Quarterly Results", state="review")
        approved = factories.make_item(db, title="Summer party")
        db.commit()
        cloud = db.scalar(sa.select(Topic).where(Topic.name == "Cloud"))

        def titles(**filters) -> list[str]:
            return sorted(i.title for i in services.list_items(db, ItemFilter(**filters)).items)

        assert titles() == sorted([in_campaign.title, review.title, approved.title])
        assert titles(state="draft") == ["Campaign kickoff"]
        assert titles(state="review") == ["Quarterly Results"]
        assert titles(campaign_id=campaign.id) == ["Campaign kickoff"]
        assert titles(topic_id=cloud.id) == ["Campaign kickoff"]
        assert titles(search="  RESULTS ") == ["Quarterly Results"]
        assert titles(search="ar") == ["Quarterly Results", "Summer party"]
        assert titles(state="approved", search="results") == []

    def test_search_treats_wildcards_as_text(self, db):
        factories.make_item(db, title="Growth 50% up")
        factories.make_item(db, title="Growth 500 clients")
        db.commit()
        page = services.list_items(db, ItemFilter(search="50%"))
        assert [i.title for i in page.items] == ["Growth 50% up"]

    def test_pagination(self, db):
        size = services.PAGE_SIZE
        items = [factories.make_item(db, title=f"Bulk {n:02d}", state="draft")
                 for n in range(size + 2)]
        db.commit()
        first = services.list_items(db, ItemFilter())
        assert (first.page, first.pages, first.total, len(first.items)) == (1, 2, size + 2, size)
        second = services.list_items(db, ItemFilter(), page=2)
        assert (second.page, len(second.items)) == (2, 2)
        seen = {i.id for i in first.items} | {i.id for i in second.items}
        assert seen == {i.id for i in items}
        assert services.list_items(db, ItemFilter(), page=99).page == 2
        assert services.list_items(db, ItemFilter(), page=-3).page == 1

    def test_newest_change_first(self, db):
        older = factories.make_item(db, title="Older")
        newer = factories.make_item(db, title="Newer")
        older.updated_at = utcnow() - dt.timedelta(days=1)
        newer.updated_at = utcnow()
        db.commit()
        assert [i.title for i in services.list_items(db, ItemFilter()).items] == ["Newer",
                                                                                  "Older"]

    def test_empty_library(self, db):
        page = services.list_items(db, ItemFilter(state="archived"))
        assert (page.items, page.page, page.pages, page.total) == ([], 1, 1, 0)
