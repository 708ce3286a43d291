"""The Bluesky provider against a real PDS (Bluesky's own @atproto/pds, offline)."""

from __future__ import annotations

import httpx
import pytest
from flask import Flask, jsonify, request

from advocacy.db import utcnow
from advocacy.providers.api import (
    Access,
    LookupFailed,
    Outgoing,
    ProviderConfig,
    RateLimited,
    ReauthRequired,
    Unavailable,
    UnknownOutcome,
)
from advocacy.providers.bluesky import BlueskyAPI, link_facets
from advocacy.providers.keys import new_post_key
from tests.fakes import serve

TEXT = ("Schöne Grüße 👨‍❤️‍👨 aus Köln: lesenswert!\n\nIch arbeite bei Beispiel. #Mitarbeiter\n"
        "http://127.0.0.1:5000/r/AbCdEf1234")
LINK = "http://127.0.0.1:5000/r/AbCdEf1234"


@pytest.fixture
def api() -> BlueskyAPI:
    return BlueskyAPI(ProviderConfig({"PROVIDER_TIMEOUT": 10, "ALLOW_INSECURE_PROVIDERS": True}))


@pytest.fixture
def session(api, bluesky_peer):
    return api.login(bluesky_peer["pds_url"], bluesky_peer["handle"],
                     bluesky_peer["app_password"])


def outgoing(text: str = TEXT, link: str = LINK, **extra) -> Outgoing:
    text = text.replace(LINK, link)
    extra.setdefault("idempotency_key", new_post_key())
    return Outgoing(text=text, body=text, link=link, title="Titel", summary="Zusammenfassung",
                    language="de", **extra)


def access_of(session) -> Access:
    return Access(session.tokens.access_token, session.did, session.handle, session.pds_url)


def read_back(session, uri: str) -> dict:
    rkey = uri.rsplit("/", 1)[1]
    answer = httpx.get(f"{session.pds_url}/xrpc/com.atproto.repo.getRecord", params={
        "repo": session.did, "collection": "app.bsky.feed.post", "rkey": rkey}, timeout=10)
    answer.raise_for_status()
    return answer.json()["value"]


def test_facets_use_utf8_byte_offsets_golden_example():
    """The example from Bluesky's documentation: the link spans bytes 74 to 108."""
    text = ("✨ example mentioning @atproto.com to share the URL 👨‍❤️‍👨 "
            "https://en.wikipedia.org/wiki/CBOR.")
    [facet] = link_facets(text)
    assert facet["index"] == {"byteStart": 74, "byteEnd": 108}


def test_login_keeps_a_session_with_expiry(session, bluesky_peer):
    assert session.did == bluesky_peer["did"]
    assert session.handle == bluesky_peer["handle"]
    assert session.tokens.refresh_token and session.tokens.expires_at is not None


def test_publish_with_link_facet_and_card(api, session):
    published = api.publish(access_of(session), outgoing(image=_png(), image_type="image/png"))
    record = read_back(session, published.remote_id)
    assert record["text"] == TEXT
    [facet] = record["facets"]
    start, end = facet["index"]["byteStart"], facet["index"]["byteEnd"]
    assert TEXT.encode("utf-8")[start:end].decode() == LINK
    assert facet["features"][0]["uri"] == LINK
    card = record["embed"]["external"]
    assert (card["uri"], card["title"]) == (LINK, "Titel")
    assert card["thumb"]["mimeType"] == "image/png"
    assert record["createdAt"].endswith("Z") and record["langs"] == ["de"]
    assert published.url.startswith(f"https://bsky.app/profile/{session.handle}/post/")


def test_the_record_key_is_ours_so_a_resend_makes_no_second_post(api, session, bluesky_peer):
    """The post's key is its record key: the PDS refuses a second create with it (it
    answers 500, so to us a resend's outcome is unknown), and settling finds the one post."""
    access = access_of(session)
    mine = outgoing(link="http://127.0.0.1:5000/r/RkeyOnce01")
    assert api.settle(access, mine, utcnow()) is None  # not there yet: safe to send
    published = api.publish(access, mine)
    assert published.remote_id.endswith(f"/app.bsky.feed.post/{mine.idempotency_key}")
    with pytest.raises(UnknownOutcome):
        api.publish(access, mine)
    assert api.settle(access, mine, utcnow()) == published
    texts = [r["value"]["text"] for r in _records(session)]
    assert texts.count(mine.text) == 1


def test_posts_queued_before_keys_were_tids_are_found_by_their_link(api, session):
    access = access_of(session)
    legacy = outgoing(link="http://127.0.0.1:5000/r/FindMe0001", idempotency_key="a" * 32)
    assert api.settle(access, legacy, utcnow()) is None
    published = api.publish(access, legacy)
    assert api.settle(access, legacy, utcnow()) == published
    numbers = api.metrics(access, published.remote_id)
    assert numbers.note == "not available from this Bluesky server"  # the peer has no AppView
    api.delete(access, published.remote_id)
    assert api.settle(access, legacy, utcnow()) is None


def test_a_failed_look_up_is_never_a_refusal(api, session):
    """A server that cannot answer the question is asked again later."""
    access = Access(session.tokens.access_token, session.did, session.handle,
                    "http://127.0.0.1:9")
    with pytest.raises(LookupFailed):
        api.settle(access, outgoing(), utcnow())


def _records(session) -> list[dict]:
    answer = httpx.get(f"{session.pds_url}/xrpc/com.atproto.repo.listRecords", params={
        "repo": session.did, "collection": "app.bsky.feed.post", "limit": 100}, timeout=10)
    return answer.json()["records"]


def test_refresh_rotates_the_session(api, session):
    """refreshSession returns a new pair. (The PDS still accepts the previous refresh token
    for a grace period, so a second use is not refused here as it is on X.)"""
    renewed = api.refresh(access_of(session), session.tokens.refresh_token, None)
    assert renewed.refresh_token != session.tokens.refresh_token
    assert renewed.expires_at is not None
    again = api.refresh(access_of(session), renewed.refresh_token, None)
    assert again.refresh_token not in (renewed.refresh_token, session.tokens.refresh_token)


def test_too_long_posts_are_refused_by_the_pds(api, session):
    from advocacy.providers.api import ContentRejected

    with pytest.raises(ContentRejected, match="grapheme"):
        api.publish(access_of(session), outgoing(text="x" * 301))


def test_wrong_app_password(api, bluesky_peer):
    with pytest.raises(ReauthRequired):
        api.login(bluesky_peer["pds_url"], bluesky_peer["handle"], "aaaa-bbbb-cccc-dddd")


def _png() -> bytes:
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (40, 20), "#1f5fbf").save(buffer, format="PNG")
    return buffer.getvalue()


# -- engagement, from a server with an AppView behind it ------------------------------------------
# The peer PDS runs without an AppView, so app.bsky.feed.getPosts is answered here as its
# public lexicon describes it: {"posts": [PostView]} with likeCount, repostCount, replyCount.

POST_URI = "at://did:plc:alice/app.bsky.feed.post/3kabc"


@pytest.fixture
def appview():
    state = {"answer": (200, None), "seen": []}
    app = Flask("fake-bsky-appview")

    @app.get("/xrpc/app.bsky.feed.getPosts")
    def get_posts():
        state["seen"].append((request.headers.get("Authorization"),
                              request.args.getlist("uris")))
        status, body = state["answer"]
        if status != 200:
            return jsonify(body), status
        return jsonify(posts=[{"uri": uri, "cid": "bafyreib", "likeCount": 7,
                               "repostCount": 2, "replyCount": 1, "quoteCount": 0,
                               "author": {"did": "did:plc:alice", "handle": "alice.test"},
                               "record": {}, "indexedAt": "2026-11-20T10:00:00Z"}
                              for uri in request.args.getlist("uris") if body is None])

    with serve(app) as url:
        yield url, state


def test_metrics_are_read_from_the_appview(api, appview):
    url, state = appview
    numbers = api.metrics(Access("jwt-1", "did:plc:alice", "alice.test", url), POST_URI)
    assert (numbers.likes, numbers.reposts, numbers.replies, numbers.note) == (7, 2, 1, None)
    assert state["seen"] == [("Bearer jwt-1", [POST_URI])]


@pytest.mark.parametrize(("answer", "note"), [
    ((200, "gone"), "not available from this Bluesky server"),  # no post in the answer
    ((501, {"error": "MethodNotImplemented", "message": "no AppView"}),
     "not available from this Bluesky server"),
])
def test_metrics_that_cannot_be_had_are_noted(api, appview, answer, note):
    url, state = appview
    state["answer"] = answer
    numbers = api.metrics(Access("jwt-1", "did:plc:alice", "alice.test", url), POST_URI)
    assert (numbers.likes, numbers.note) == (None, note)


@pytest.mark.parametrize(("answer", "error"), [
    ((503, {"error": "InternalServerError"}), Unavailable),
    ((429, {"error": "RateLimitExceeded"}), RateLimited),
    ((400, {"error": "ExpiredToken", "message": "Token has expired"}), ReauthRequired),
])
def test_metrics_failures_are_tried_again_later_not_noted(api, appview, answer, error):
    """A server that is down or busy now is not a server without metrics."""
    url, state = appview
    state["answer"] = answer
    with pytest.raises(error):
        api.metrics(Access("jwt-1", "did:plc:alice", "alice.test", url), POST_URI)
