"""German means German (issue 17, item 5): what networks and feeds answer, audit entries
and the guidelines read in the reader's language. Problems are stored as codes with plain
values and worded when shown, the network's own words only ever quoted after our sentence;
rows stored as English sentences before still read, as a generic sentence with the old words.

The German expected here comes from the catalogue (advocacy/translations): nothing in the
code is German, so these pass only when the page is worded through gettext."""

from __future__ import annotations

import html

import pytest
import sqlalchemy as sa

from advocacy.accounts.models import SocialAccount
from advocacy.core.services import audit
from advocacy.crypto import vault
from advocacy.feeds.models import NewsFeed
from advocacy.governance.models import Guideline
from advocacy.governance.services import pending_guideline
from advocacy.problems import Problem
from advocacy.sharing.outbox import process_outbox
from tests import factories
from tests.fakes.fixtures import provider_config
from tests.web.test_feeds import Document, FeedServer, register
from tests.web.test_outbox import connect_mastodon, outbox_post, post, share_of


@pytest.fixture
def config_overrides(smtp_config):
    return {**smtp_config, **provider_config(PROVIDER_TIMEOUT=1)}


@pytest.fixture
def item(db):
    """An item in German: a German reader's feed and share sheet show German items."""
    item = factories.make_item(db, title="Unser neues Werk", language="de",
                               texts=[("Lesenswert", None)])
    db.commit()
    return item


def page_of(client, url: str) -> str:
    return html.unescape(client.get(url).get_data(as_text=True))


def speak(db, user, language: str) -> None:
    """The person switches their language (as on their profile)."""
    user.language = language
    db.commit()


# -- what a network answered -------------------------------------------------------------------

class TestNetworkErrors:
    def test_a_refused_post_reads_in_the_readers_language_with_the_networks_words_quoted(
            self, client, login_as, db, app, item, fake_mastodon):
        emma = login_as("employee", language="de")
        connect_mastodon(app, db, emma, fake_mastodon)
        post(client, item)
        fake_mastodon.state.max_characters = 40  # the server's limit, lowered after queuing
        assert process_outbox(app) == {"failed": 1}
        stored = outbox_post(db, share_of(db, emma)).last_error
        assert Problem.load(stored) == Problem(
            "refused_post", {"network": "Mastodon", "status": 422},
            "Validation failed: Text character limit of 40 exceeded")

        page = page_of(client, "/shares")
        assert ("Mastodon hat den Beitrag abgelehnt (Status 422). „Validation failed: Text "
                "character limit of 40 exceeded“") in page
        assert "refused the post" not in page and 'lang="en"' not in page

        speak(db, emma, "en")
        page = page_of(client, "/shares")
        assert ("Mastodon refused the post (status 422). “Validation failed: Text character "
                "limit of 40 exceeded”") in page
        assert "abgelehnt" not in page

    def test_a_revoked_account_is_explained_in_german_on_the_page_and_in_the_mail(
            self, client, login_as, db, app, item, fake_mastodon, mailbox):
        emma = login_as("employee", language="de")
        account = connect_mastodon(app, db, emma, fake_mastodon)
        post(client, item)
        with app.app_context():
            token = vault(app).open(f"account:{account.id}:access_token",
                                    account.access_token_enc)
        fake_mastodon.state.revoke_token(token)
        assert process_outbox(app) == {"waiting": 1}
        db.expire_all()
        assert Problem.load(db.get(SocialAccount, account.id).last_error).code == \
            "refused_access"

        reason = ("Mastodon akzeptiert den Zugang dieses Kontos nicht mehr. „The access token "
                  "was revoked“")
        assert reason in page_of(client, "/accounts/")
        assert reason in page_of(client, "/shares")
        [mail] = mailbox.messages
        body = mail.get_payload(decode=True).decode()
        assert body.startswith("Hallo ") and reason in body
        assert "no longer accepts" not in body

    def test_a_row_stored_as_an_english_sentence_still_reads(self, client, login_as, db, app,
                                                             item, fake_mastodon):
        emma = login_as("employee", language="de")
        connect_mastodon(app, db, emma, fake_mastodon)
        post(client, item)
        fake_mastodon.state.max_characters = 40
        process_outbox(app)
        row = outbox_post(db, share_of(db, emma))
        row.last_error = "The network refused the post: too long"  # as written before
        db.commit()
        page = page_of(client, "/shares")
        assert ("Angaben, wie sie damals festgehalten wurden (auf Englisch): „The network "
                "refused the post: too long“") in page


# -- what a feed answered ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def feeds():
    with FeedServer() as server:
        yield server


class TestFeedErrors:
    def test_a_broken_feed_is_explained_to_each_reader_in_their_language(
            self, client, db, make_user, feeds):
        feeds.documents["/news.xml"] = Document(b"gone", "text/plain", 500)
        cleo = make_user(roles={"comms", "employee"}, language="de")
        register(client, cleo, f"{feeds.base}/news.xml")
        feed = db.scalar(sa.select(NewsFeed))
        flashed = html.unescape(client.post_form(f"/feeds/{feed.id}/check",
                                                 follow_redirects=True).get_data(as_text=True))
        assert ("Der Feed konnte nicht gelesen werden: Der Server antwortete mit Status 500."
                in flashed)
        listed = page_of(client, "/feeds/")
        assert "Letzte Abfrage fehlgeschlagen: Der Server antwortete mit Status 500." in listed
        assert "answered with status" not in listed

        colleague = make_user(roles={"comms"}, language="en")
        client.logout()
        client.login(colleague.email)
        listed = page_of(client, "/feeds/")
        assert "Last check failed: The server answered with status 500." in listed

    def test_an_old_english_error_line_shows_with_a_german_sentence(self, client, db,
                                                                      make_user):
        cleo = make_user(roles={"comms"}, language="de")
        db.add(NewsFeed(name="Old", url="https://example.org/old.xml", language="de",
                        last_error="example.org cannot be found", failures=1))
        db.commit()
        client.login(cleo.email)
        listed = page_of(client, "/feeds/")
        assert ("Letzte Abfrage fehlgeschlagen: Angaben, wie sie damals festgehalten wurden "
                "(auf Englisch): „example.org cannot be found“") in listed


# -- the audit log -----------------------------------------------------------------------------

class TestAuditLog:
    def test_entries_read_in_german_whether_stored_as_facts_or_as_english(
            self, client, login_as, db):
        admin = login_as("admin", language="de")
        audit(db, admin.id, "reward.fulfilled", {"reward": "Becher", "person": 24})
        audit(db, admin.id, "reward.fulfilled", "Mug for person 25")  # an entry from before
        audit(db, admin.id, "worksheet.shared", "with former colleague")
        audit(db, None, "admin.keys_rotated", {"secrets": 3})
        audit(db, admin.id, "report.viewed", "quarter 2026-10-01..2026-12-31 by group")
        db.commit()
        response = client.post_form("/admin/settings", {
            "programme_name": "Stimmen der Firma", "company_name": "Beispiel GmbH",
            "disclosure_line_de": "Ich arbeite bei {company}.",
            "disclosure_line_en": "I work at {company}.", "utm_medium": "advocacy",
            "leaderboard_others": "hidden", "stagger_minutes": "0"})  # four eyes: off
        assert response.status_code == 302

        page = page_of(client, "/admin/audit")
        for german in ("„Becher“ für Person 24", "„Mug“ für Person 25",
                       "mit einer ehemaligen Kollegin oder einem ehemaligen Kollegen",
                       "3 Geheimnisse", "Quartal", "nach Gruppe",
                       "Name des Programms: ", " → Stimmen der Firma", ": ja → nein"):
            assert german in page, german
        for english in ("for person", "former colleague", "secrets", "by group",
                        "programme_name", "→ no", "→ hidden"):
            assert english not in page, english
        assert "Quartal" in page_of(client, "/reports/audit")

        speak(db, admin, "en")
        page = page_of(client, "/admin/audit")
        assert "“Becher” for person 24" in page and "“Mug” for person 25" in page
        assert "Programme name: " in page and ": yes → no" in page
        assert "shown as “a colleague” → left out" in page


# -- the guidelines ----------------------------------------------------------------------------

def publish(client, **texts: str):
    response = client.post_form("/admin/guidelines", texts)
    assert response.status_code == 302, response.get_data(as_text=True)


class TestGuidelines:
    def test_each_reader_gets_the_version_in_their_language(self, client, login_as,
                                                            make_user, db):
        login_as("admin")
        publish(client, title_de="Leitfaden", body_html_de="<p>Seien Sie freundlich.</p>",
                title_en="Guidelines", body_html_en="<p>Be kind.</p>")
        german, english = (make_user(roles={"employee"}, language=code) for code in ("de", "en"))
        db.commit()
        for person, title, body, other_title, other_body, published in (
                (german, "Leitfaden", "Seien Sie freundlich.", "Guidelines", "Be kind.",
                 "Version 1, veröffentlicht am"),
                (english, "Guidelines", "Be kind.", "Leitfaden", "Seien Sie freundlich.",
                 "Version 1, published on")):
            client.logout()
            client.login(person.email)
            page = page_of(client, "/guidelines")
            assert f"<h1>{title}</h1>" in page and body in page and published in page
            assert f"<h1>{other_title}</h1>" not in page and other_body not in page

    def test_a_missing_language_falls_back_and_an_added_one_keeps_confirmations(
            self, client, login_as, make_user, db):
        admin = login_as("admin", language="de")
        publish(client, title_de="Leitfaden", body_html_de="<p>Seien Sie freundlich.</p>")
        reader = make_user(roles={"employee"}, language="en")
        db.commit()
        client.logout()
        client.login(reader.email)
        page = page_of(client, "/guidelines")
        assert "Seien Sie freundlich." in page and '<article class="card" lang="de">' in page
        assert "This version is not available in your language yet" in page
        assert client.post_form("/guidelines/acknowledge").status_code == 302
        assert pending_guideline(db, reader) is None

        client.logout()
        client.login(admin.email)
        form = page_of(client, "/admin/guidelines")
        assert "Version 1 hat noch keinen Text auf English." in form
        changed = client.post_form("/admin/guidelines", {
            "title_de": "Leitfaden", "body_html_de": "<p>Anders.</p>",
            "title_en": "Guidelines", "body_html_en": "<p>Be kind.</p>", "add_language": "1"},
            follow_redirects=True)
        assert changed.status_code == 400
        assert "Der Text auf Deutsch wurde geändert" in html.unescape(
            changed.get_data(as_text=True))
        publish(client, title_de="Leitfaden", body_html_de="<p>Seien Sie freundlich.</p>",
                title_en="Guidelines", body_html_en="<p>Be kind.</p>", add_language="1")
        db.expire_all()
        [version] = db.scalars(sa.select(Guideline)).all()
        assert version.languages == ["de", "en"]
        assert pending_guideline(db, reader) is None  # the confirmation counts still
        assert "Version 1 auf English: Guidelines" in page_of(client, "/admin/audit")

        client.logout()
        client.login(reader.email)
        page = page_of(client, "/guidelines")
        assert "Be kind." in page and "not available in your language" not in page
        assert "You confirmed this version on" in page
