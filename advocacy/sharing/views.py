"""The feed, the share sheet (dialog and plain page), my shares, and the tracked redirect."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import TooManyRequests

from advocacy.accounts.models import SocialAccount
from advocacy.accounts.services import accounts_of, configured_networks
from advocacy.content.forms import to_local, to_utc
from advocacy.content.services import list_topics
from advocacy.db import end_request_transaction, get_session, utcnow
from advocacy.errors import DomainError
from advocacy.governance.services import pending_guideline
from advocacy.layout import current_settings
from advocacy.providers.registry import NETWORKS
from advocacy.security import public, role_required
from advocacy.sharing import bp, drafts, links, outbox, pause, services
from advocacy.sharing.forms import (
    BudgetForm,
    PauseForm,
    PostActionForm,
    ResumeForm,
    ShareForm,
)
from advocacy.sharing.outbox import budget
from advocacy.sharing.outbox.words import failure

employee_only = role_required("employee")


@bp.app_template_filter("post_failure")
def post_failure(stored: str | None, kind: str | None, network: str) -> str:
    """Why a post failed or is unconfirmed, in the reader's language (programme health)."""
    return failure(kind, stored, network)


def feed_page() -> str:
    """The start page of everyone with the employee role (called by core.home)."""
    db = get_session()
    topic_id = request.args.get("topic", type=int)
    for_you = request.args.get("for_you") == "1"
    page = services.feed(db, current_user, topic_id=topic_id,
                         page=request.args.get("page", 1, type=int), for_you=for_you)
    soon = utcnow() + dt.timedelta(days=7)
    alerts = [a for a in accounts_of(db, current_user).values()
              if a.needs_reconnect or (a.refresh_token_enc is None and a.expires_at is not None
                                       and a.expires_at < soon)]
    waiting = len(drafts.pending_for(db, current_user)) if current_user.tier_id == 1 else 0
    return render_template("sharing/feed.html", page=page, topics=list_topics(db),
                           topic_id=topic_id, for_you=for_you, account_alerts=alerts,
                           drafts_waiting=waiting,
                           networks=NETWORKS)


def _usable_accounts() -> list[SocialAccount]:
    """The person's connected accounts on networks whose API is set up here."""
    configured = configured_networks(current_app.config)
    return [a for a in accounts_of(get_session(), current_user).values()
            if configured.get(a.network)]


def _sheet_form(item: Any, network: str,
                accounts: list[SocialAccount]) -> tuple[ShareForm, dict[str, dict[str, Any]]]:
    """The form with the suggestion for the first account's network (or `network`), the
    usable accounts preselected, and every network's suggestion for the browser."""
    suggestions = {}
    for key in NETWORKS:
        text = services.suggested_text(item, current_user, key)
        suggestions[key] = {"text": text.text if text else "", "id": text.id if text else ""}
    form = ShareForm()
    form.network.choices = [(n.key, n.label) for n in NETWORKS.values()]
    form.accounts.choices = [(a.id, f"{NETWORKS[a.network].label} · {a.handle}")
                             for a in accounts if not a.needs_reconnect]
    if request.method == "GET":
        active = [a for a in accounts if not a.needs_reconnect]
        first = active[0].network if active else network
        form.network.data = network
        form.accounts.data = [a.id for a in active]
        form.text.data = suggestions[first]["text"]
        form.share_text_id.data = suggestions[first]["id"]
        suggested = item.suggested_post_at
        if suggested is not None and suggested > utcnow():
            form.post_at.data = to_local(suggested, current_app.config["TIMEZONE"])
    return form, suggestions


def _render_sheet(item: Any, form: ShareForm, suggestions: dict[str, Any],
                  accounts: list[SocialAccount], status: int = 200) -> tuple[str, int]:
    settings = current_settings()
    partial = request.args.get("partial") == "1"
    network = NETWORKS.get(form.network.data or "") or NETWORKS[services.default_network(
        current_user)]
    return render_template(
        "sharing/sheet_partial.html" if partial else "sharing/sheet.html",
        item=item, form=form, network=network, networks=NETWORKS, accounts=accounts,
        suggestions_json=json.dumps(suggestions),
        disclosure=settings.disclosure_line(item.language), paused=settings.posting_paused,
        sample_link=url_for("sharing.tracked", code="x" * services.CODE_LENGTH,
                            _external=True),
        guideline=pending_guideline(get_session(), current_user)), status


def _live_item(item_id: int) -> Any:
    item = services.visible_item(get_session(), current_user, item_id)
    if item is None:
        abort(404)
    return item


def _link_for(code: str) -> str:
    return url_for("sharing.tracked", code=code, _external=True)


@bp.get("/share/<int:item_id>")
@employee_only
def sheet(item_id: int) -> tuple[str, int]:
    item = _live_item(item_id)
    network = request.args.get("network")
    if network not in NETWORKS:
        network = services.default_network(current_user)
    accounts = _usable_accounts()
    form, suggestions = _sheet_form(item, network, accounts)
    return _render_sheet(item, form, suggestions, accounts)


@bp.post("/share/<int:item_id>")
@employee_only
def share(item_id: int) -> Response | tuple[str, int]:
    """The second click: post from the chosen accounts (now or later), or record a share
    by link and open the network's share page with text and link."""
    item = _live_item(item_id)
    accounts = _usable_accounts()
    form, suggestions = _sheet_form(item, services.default_network(current_user), accounts)
    if not form.validate():
        return _render_sheet(item, form, suggestions, accounts, 400)
    db = get_session()
    share_text_id = int(form.share_text_id.data) if (form.share_text_id.data or "").isdigit() \
        else None
    settings, timezone = current_settings(), current_app.config["TIMEZONE"]
    try:
        if form.post.data and not form.accounts.data:
            raise DomainError(_("Choose at least one account to post from."))
        if form.post.data:
            chosen = [a for a in accounts if a.id in form.accounts.data]
            services.confirm_guidelines(db, current_user, form.acknowledge_guidelines.data,
                                        settings, timezone, utcnow())
            run_at = to_utc(form.post_at.data, timezone)
            for account in chosen:
                outbox.queue_post(db, current_user, item, outbox.PostRequest(
                    account, form.text.data, share_text_id, run_at), settings, _link_for)
        else:
            if not form.network.data:
                raise DomainError(_("Choose where to share."))
            _share, intent = services.create_share(
                db, current_user, item,
                services.ShareRequest(form.network.data, form.text.data, share_text_id,
                                      form.acknowledge_guidelines.data),
                settings, _link_for, timezone)
    except DomainError as exc:
        db.rollback()
        form.text.errors = [*form.text.errors, exc.message]
        return _render_sheet(item, form, suggestions, accounts, 400)
    db.commit()
    if form.post.data and form.accounts.data:
        flash(_("Your post is on its way.") if not form.post_at.data else
              _("Your post is scheduled."), "success")
        return redirect(url_for("sharing.my_shares"))
    return redirect(intent)


@bp.get("/shares")
@employee_only
def my_shares() -> str:
    db = get_session()
    page = services.my_shares(db, current_user, request.args.get("page", 1, type=int))
    accounts = accounts_of(db, current_user)
    standings = {share.id: outbox.standing(share.post, accounts) for share in page.items
                 if share.post is not None}
    return render_template("sharing/my_shares.html", page=page, networks=NETWORKS,
                           standings=standings, action=PostActionForm())


def _post_action(post_id: int, act: Any, done: str) -> Response:
    if not PostActionForm().validate():
        abort(400)
    db = get_session()
    try:
        act(db, current_user, post_id)
    except DomainError as exc:
        db.rollback()
        flash(exc.message, "error")
    else:
        db.commit()
        flash(done, "success")
    return redirect(url_for("sharing.my_shares"))


@bp.post("/shares/<int:post_id>/retry")
@employee_only
def retry_post(post_id: int) -> Response:
    return _post_action(post_id, outbox.retry_post, _("The post will be sent again."))


@bp.post("/shares/<int:post_id>/cancel")
@employee_only
def cancel_post(post_id: int) -> Response:
    return _post_action(post_id, outbox.cancel_post, _("The post is cancelled."))


@bp.post("/shares/<int:post_id>/look")
@employee_only
def look_for_post(post_id: int) -> Response:
    """Off to the person's profile on the network, to see whether a post in doubt is there;
    back in "My shares" they say what they found."""
    if not PostActionForm().validate():
        abort(400)
    db = get_session()
    try:
        where = outbox.looked(db, current_user, post_id)
    except DomainError as exc:
        db.rollback()
        flash(exc.message, "error")
        return redirect(url_for("sharing.my_shares"))
    db.commit()
    return redirect(where)  # built from the stored account (outbox.actions.profile_url)


@bp.post("/shares/<int:post_id>/there")
@employee_only
def post_is_there(post_id: int) -> Response:
    zone = current_app.config["TIMEZONE"]
    return _post_action(post_id, lambda db, user, pid: outbox.confirm_posted(db, user, pid, zone),
                        _("Thank you: the post counts as posted."))


@bp.post("/shares/<int:post_id>/again")
@employee_only
def send_post_again(post_id: int) -> Response:
    return _post_action(post_id, outbox.send_again, _("The post will be sent again."))


@bp.post("/shares/<int:post_id>/by-link")
@employee_only
def share_post_by_link(post_id: int) -> Response:
    """Post through the network's share page instead of its API (after a failure, or while
    posting by API is paused): it counts as shared now, and the share page opens."""
    if not PostActionForm().validate():
        abort(400)
    db = get_session()
    try:
        page = outbox.share_by_link(db, current_user, post_id, current_settings(),
                                    current_app.config["TIMEZONE"])
    except DomainError as exc:
        db.rollback()
        flash(exc.message, "error")
        return redirect(url_for("sharing.my_shares"))
    db.commit()
    return redirect(page)  # a network's share page (providers' intent builders)


@bp.post("/shares/<int:post_id>/delete")
@employee_only
def delete_post(post_id: int) -> Response:
    """Delete the post on the network (it talks to the network, outside a transaction)."""
    if not PostActionForm().validate():
        abort(400)
    user = current_user._get_current_object()  # type: ignore[attr-defined]
    end_request_transaction()
    try:
        outbox.delete_post(current_app._get_current_object(),  # type: ignore[attr-defined]
                           user, post_id)
    except DomainError as exc:
        flash(exc.message, "error")
    else:
        flash(_("The post is deleted on the network."), "success")
    return redirect(url_for("sharing.my_shares"))


@bp.get("/posting")
@role_required("comms", "admin")
def posting() -> str:
    """The crisis pause, and what is waiting to be posted."""
    db = get_session()
    return _posting_page(db, PauseForm())


def _posting_page(db: Any, pause_form: PauseForm) -> str:
    settings = current_settings()
    paused_at = dt.datetime.fromisoformat(settings.paused_at) if settings.paused_at else None
    return render_template("sharing/posting.html", settings=settings, paused_at=paused_at,
                           waiting=outbox.waiting_counts(db), pause_form=pause_form,
                           resume_form=ResumeForm())


@bp.route("/posting/costs", methods=["GET", "POST"])
@role_required("admin")
def posting_costs() -> Response | tuple[str, int]:
    """Monthly budgets for networks that bill each post by API (X), and their stops."""
    db = get_session()
    network = request.form.get("network", "")
    forms = {}
    for key in budget.billed_networks():
        spent = budget.spend(db, key, utcnow())
        form = BudgetForm(prefix=key, formdata=request.form if network == key else None)
        if network != key and spent.budget is not None:
            form.monthly_posts.data = spent.budget.monthly_posts
            form.monthly_amount.data = spent.budget.monthly_amount
        forms[key] = (form, spent)
    if request.method == "POST":
        if network not in forms:
            abort(400)
        form = forms[network][0]
        if form.validate():
            try:
                budget.save_budget(db, current_user, network, form.monthly_posts.data,
                                   form.monthly_amount.data)
            except DomainError as exc:
                db.rollback()
                flash(exc.message, "error")
            else:
                db.commit()
                flash(_("The budget is saved."), "success")
                return redirect(url_for("sharing.posting_costs"))
    status = 400 if request.method == "POST" else 200
    return render_template("sharing/costs.html", forms=forms, networks=NETWORKS,
                           lift=PostActionForm()), status


@bp.post("/posting/costs/<network>/resume")
@role_required("admin")
def lift_cost_stop(network: str) -> Response:
    if not PostActionForm().validate() or network not in budget.billed_networks():
        abort(400)
    db = get_session()
    try:
        budget.lift_stop(db, current_user, network, utcnow())
    except DomainError as exc:
        db.rollback()
        flash(exc.message, "error")
    else:
        db.commit()
        flash(_("Posting by API to %(network)s starts again.",
                network=NETWORKS[network].label), "success")
    return redirect(url_for("sharing.posting_costs"))


@bp.post("/posting/pause")
@role_required("comms", "admin")
def pause_posting() -> Response | tuple[str, int]:
    form = PauseForm()
    db = get_session()
    if form.validate():
        try:
            pause.pause(db, current_user, form.reason.data)
        except DomainError as exc:
            form.reason.errors = [exc.message]
        else:
            db.commit()
            flash(_("All posting by API is paused."), "warning")
            return redirect(url_for("sharing.posting"))
    return _posting_page(db, form), 400


@bp.post("/posting/resume")
@role_required("comms", "admin")
def resume_posting() -> Response | tuple[str, int]:
    form = ResumeForm()
    db = get_session()
    try:
        pause.resume(db, current_user, form.validate() and bool(form.confirm.data))
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(url_for("sharing.posting"))
    db.commit()
    flash(_("Posting has resumed."), "success")
    return redirect(url_for("sharing.posting"))


@bp.get("/r/<code>")
@public
def tracked(code: str) -> Response:
    """Known codes are answered before Flask (`advocacy.sharing.links`); what reaches this
    view is unknown, or from a client over the redirect limit."""
    wait = request.environ.get(links.RATE_LIMITED)
    if wait:
        raise TooManyRequests(retry_after=wait)
    abort(404)
