"""Communications: the content library, the item editor, the workflow and campaigns."""

from __future__ import annotations

from pathlib import Path

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import Session

from advocacy.admin.services import ProgrammeSettings
from advocacy.content import bp, campaigns, services
from advocacy.content.budget import budgets_for, sample_link
from advocacy.content.forms import (
    CampaignForm,
    ContentFilterForm,
    ItemForm,
    WorkflowForm,
    to_local,
    to_utc,
)
from advocacy.content.images import delete_image, store_image
from advocacy.content.models import Campaign, ContentItem
from advocacy.db import get_session, utcnow
from advocacy.errors import DomainError
from advocacy.layout import current_settings
from advocacy.people.services import list_groups, list_tiers
from advocacy.providers.registry import NETWORKS
from advocacy.security import login_required, role_required
from advocacy.suggestions.services import reward_published

comms_only = role_required("comms")


def _upload_dir() -> Path:
    return Path(current_app.config["UPLOAD_DIR"])


def _item_form(item: ContentItem | None = None) -> ItemForm:
    db = get_session()
    timezone = current_app.config["TIMEZONE"]
    form = ItemForm(obj=item) if request.method == "GET" and item else ItemForm()
    form.campaign_id.choices = [(0, _("No campaign"))] + [
        (c.id, c.name) for c in services.list_campaigns(db)]
    form.tier_ids.choices = [(t.id, f"{t.id} · {t.name}") for t in list_tiers(db)]
    form.group_ids.choices = [(g.id, g.name) for g in list_groups(db)]
    networks = [("", _("Any network"))] + [(n.key, n.label) for n in NETWORKS.values()]
    tiers = [(0, _("Every tier"))] + [(t.id, t.name) for t in list_tiers(db)]
    if request.method == "GET" and item is not None:
        form.topics.data = ", ".join(t.name for t in item.topics)
        form.tier_ids.data = [t.id for t in item.target_tiers]
        form.group_ids.data = [g.id for g in item.target_groups]
        form.campaign_id.data = item.campaign_id or 0
        form.publish_at.data = to_local(item.publish_at, timezone)
        form.expire_at.data = to_local(item.expire_at, timezone)
        form.suggested_post_at.data = to_local(item.suggested_post_at, timezone)
        while len(form.texts.entries) < len(item.share_texts) + 1:
            form.texts.append_entry()
        for entry, text in zip(form.texts.entries, item.share_texts, strict=False):
            entry.form.text.data = text.text
            entry.form.network.data = text.network or ""
            entry.form.tier_id.data = text.tier_id or 0
    for entry in form.texts.entries:
        entry.form.network.choices = networks
        entry.form.tier_id.choices = tiers
    return form


def _item_data(form: ItemForm) -> services.ItemData:
    timezone = current_app.config["TIMEZONE"]
    return services.ItemData(
        title=form.title.data, url=form.url.data, summary=form.summary.data or "",
        body_html=form.body_html.data or "", hashtags=form.hashtags.data or "",
        topics=(form.topics.data or "").split(","), language=form.language.data,
        source_class=form.source_class.data, intention=form.intention.data,
        campaign_id=form.campaign_id.data or None, tier_ids=set(form.tier_ids.data),
        group_ids=set(form.group_ids.data), publish_at=to_utc(form.publish_at.data, timezone),
        expire_at=to_utc(form.expire_at.data, timezone), is_pinned=form.is_pinned.data,
        suggested_post_at=to_utc(form.suggested_post_at.data, timezone),
        image_alt=form.image_alt.data or "", image_licence=form.image_licence.data or "",
        image_credit=form.image_credit.data or "",
        image_licence_ends_on=form.image_licence_ends_on.data,
        texts=[services.TextData(e.form.text.data or "", e.form.network.data or None,
                                 e.form.tier_id.data or None) for e in form.texts.entries],
    )


def _editor(form: ItemForm, item: ContentItem | None, status: int = 200) -> tuple[str, int]:
    settings = current_settings()
    base_url = request.host_url.rstrip("/")
    budgets = [] if item is None else [
        (text, budgets_for(text.text, text.network, settings.disclosure_line(item.language),
                           base_url)) for text in item.share_texts]
    return render_template(
        "content/edit.html", form=form, item=item, budgets=budgets, networks=NETWORKS,
        disclosures={code: settings.disclosure_line(code) for code in ("de", "en")},
        sample_link=sample_link(base_url), workflow=WorkflowForm(),
        state_labels=services.state_labels()), status


@bp.get("/")
@comms_only
def library() -> str:
    db = get_session()
    form = ContentFilterForm(request.args)
    form.state.choices = [("", _("All states")), *services.state_labels().items()]
    form.campaign.choices = [(0, _("All campaigns"))] + [
        (c.id, c.name) for c in services.list_campaigns(db)]
    form.topic.choices = [(0, _("All topics"))] + [(t.id, t.name)
                                                   for t in services.list_topics(db)]
    form.validate()
    flt = services.ItemFilter(state=form.state.data or None, campaign_id=form.campaign.data or None,
                              topic_id=form.topic.data or None, search=form.q.data or "")
    page = services.list_items(db, flt, request.args.get("page", 1, type=int))
    return render_template("content/library.html", form=form, page=page,
                           state_labels=services.state_labels())


@bp.get("/new")
@comms_only
def item_new() -> tuple[str, int]:
    return _editor(_item_form(), None)


@bp.post("/new")
@comms_only
def item_create() -> Response | tuple[str, int]:
    return _save(None)


def _load_item(item_id: int) -> ContentItem:
    item = get_session().get(ContentItem, item_id)
    if item is None:
        abort(404)
    return item


@bp.get("/<int:item_id>")
@comms_only
def item_edit(item_id: int) -> tuple[str, int]:
    item = _load_item(item_id)
    return _editor(_item_form(item), item)


@bp.post("/<int:item_id>")
@comms_only
def item_update(item_id: int) -> Response | tuple[str, int]:
    return _save(_load_item(item_id))


def _save(item: ContentItem | None) -> Response | tuple[str, int]:
    """Save the form; with "save and submit", also submit. A draft that cannot be submitted
    yet is still saved (nothing typed is lost) and the problems are shown."""
    form = _item_form(item)
    if not form.validate():
        return _editor(form, item, 400)
    db = get_session()
    old_image = item.image_name if item else None
    new_image = None
    was_approved = item is not None and item.state == "approved"
    try:
        item = services.save_item(db, current_user, item, _item_data(form))
        if form.image.data:
            new_image = store_image(form.image.data.read(), _upload_dir(),
                                    current_app.config["IMAGE_MAX_BYTES"])
            services.set_image(db, item, new_image)
        elif form.remove_image.data:
            services.set_image(db, item, None)
    except DomainError as exc:
        db.rollback()
        delete_image(_upload_dir(), new_image)
        flash(exc.message, "error")
        return _editor(form, _reload(item), 400)
    submit_problem = None
    if form.save_and_submit.data and item.state == "draft":
        try:
            services.submit_for_review(db, current_user, item, current_settings(),
                                       request.host_url.rstrip("/"))
        except DomainError as exc:  # nothing was changed by the refused submission
            submit_problem = exc.message
    db.commit()
    if old_image and old_image != item.image_name:
        delete_image(_upload_dir(), old_image)
    if submit_problem:
        flash(_("Saved as a draft, but it cannot be submitted yet: %(problems)s",
                problems=submit_problem), "error")
    elif was_approved:
        flash(_("Saved. The item is back in review and off the feed until it is approved "
                "again."), "warning")
    else:
        flash(_("Saved."), "success")
    return redirect(url_for("content.item_edit", item_id=item.id))


def _reload(item: ContentItem | None) -> ContentItem | None:
    return None if item is None or item.id is None else get_session().get(ContentItem, item.id)


def _approve(db: Session, item: ContentItem, settings: ProgrammeSettings, base_url: str) -> None:
    """Approve, and thank whoever suggested the item with their points."""
    now = utcnow()
    services.approve(db, current_user, item, settings, base_url, now)
    reward_published(db, item, settings, now, current_app.config["TIMEZONE"])


def _workflow(item_id: int, action: str) -> Response:
    item = _load_item(item_id)
    if not WorkflowForm().validate():
        abort(400)
    db = get_session()
    settings, base_url = current_settings(), request.host_url.rstrip("/")
    steps = {
        "submit": (lambda: services.submit_for_review(db, current_user, item, settings,
                                                      base_url), _("Submitted for review.")),
        "approve": (lambda: _approve(db, item, settings, base_url),
                    _("Approved. The item goes live at its publication time.")),
        "return": (lambda: services.return_to_draft(db, item),
                   _("The item is a draft again.")),
        "archive": (lambda: services.archive(db, item), _("Archived.")),
        "restore": (lambda: services.restore(db, item), _("Restored as a draft.")),
    }
    step, message = steps[action]
    try:
        step()
    except DomainError as exc:
        db.rollback()
        flash(exc.message, "error")
    else:
        db.commit()
        flash(message, "success")
    return redirect(url_for("content.item_edit", item_id=item_id))


@bp.post("/<int:item_id>/submit")
@comms_only
def item_submit(item_id: int) -> Response:
    return _workflow(item_id, "submit")


@bp.post("/<int:item_id>/approve")
@comms_only
def item_approve(item_id: int) -> Response:
    return _workflow(item_id, "approve")


@bp.post("/<int:item_id>/return")
@comms_only
def item_return(item_id: int) -> Response:
    return _workflow(item_id, "return")


@bp.post("/<int:item_id>/archive")
@comms_only
def item_archive(item_id: int) -> Response:
    return _workflow(item_id, "archive")


@bp.post("/<int:item_id>/restore")
@comms_only
def item_restore(item_id: int) -> Response:
    return _workflow(item_id, "restore")


@bp.get("/campaigns")
@comms_only
def campaign_list() -> str:
    return render_template("content/campaigns.html",
                           campaigns=services.list_campaigns(get_session()))


def _load_campaign(campaign_id: int) -> Campaign:
    campaign = get_session().get(Campaign, campaign_id)
    if campaign is None:
        abort(404)
    return campaign


@bp.route("/campaigns/new", methods=["GET", "POST"], defaults={"campaign_id": None})
@bp.route("/campaigns/<int:campaign_id>/edit", methods=["GET", "POST"])
@comms_only
def campaign_edit(campaign_id: int | None) -> str | Response | tuple[str, int]:
    campaign = _load_campaign(campaign_id) if campaign_id else None
    form = CampaignForm(obj=campaign)
    if request.method == "POST" and form.validate():
        db = get_session()
        try:
            campaign = campaigns.save_campaign(db, campaign, form.name.data, form.goal.data or "",
                                               form.starts_on.data, form.ends_on.data)
        except DomainError as exc:
            form.ends_on.errors = [exc.message]
        else:
            db.commit()
            flash(_("Campaign saved."), "success")
            return redirect(url_for("content.campaign_page", campaign_id=campaign.id))
    status = 400 if request.method == "POST" else 200
    return render_template("content/campaign_edit.html", form=form, campaign=campaign), status


@bp.get("/campaigns/<int:campaign_id>")
@comms_only
def campaign_page(campaign_id: int) -> str:
    campaign = _load_campaign(campaign_id)
    db = get_session()
    return render_template("content/campaign.html", campaign=campaign,
                           stats=campaigns.campaign_stats(db, campaign),
                           items=campaigns.campaign_items(db, campaign),
                           state_labels=services.state_labels())


@bp.get("/media/<name>")
@login_required
def media(name: str) -> Response:
    """Key images, for anyone logged in (the feed shows them)."""
    response = send_from_directory(_upload_dir(), name, max_age=7 * 24 * 3600)
    response.headers["Cache-Control"] = "private, max-age=604800"
    return response
