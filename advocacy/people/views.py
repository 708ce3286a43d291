"""Admin pages for people, groups, tiers and the CSV import."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from zoneinfo import ZoneInfo

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from advocacy import group_removal
from advocacy.actions import carry_out
from advocacy.admin.services import get_settings
from advocacy.auth.services import invite_user
from advocacy.content import services as content_services
from advocacy.core.services import audit, audit_changes
from advocacy.db import get_session, utcnow
from advocacy.errors import DomainError
from advocacy.me import erasure
from advocacy.people import bp, importer, services
from advocacy.people.forms import (
    ConfirmForm,
    DeclineDeletionForm,
    GroupDeleteForm,
    GroupForm,
    ImportConfirmForm,
    ImportUploadForm,
    PeopleFilterForm,
    PersonForm,
    TierForm,
)
from advocacy.people.models import Group, Tier, User
from advocacy.security import role_required

admin_only = role_required("admin")


def _invitations_on() -> bool:
    """With password login off people use single sign-on, and a link to set a password
    would only say so: no invitations then (creating and importing people still work)."""
    return bool(current_app.config["PASSWORD_LOGIN"])


def _invite(user: User) -> None:
    if not _invitations_on():
        raise DomainError(_("No invitation was sent: people here log in with their company "
                            "account, no password needed. Tell them the address of the site."))
    lifetime = dt.timedelta(days=current_app.config["INVITE_TOKEN_DAYS"])
    invite_user(get_session(), user,
                lambda t: url_for("auth.invitation", token=t, _external=True), lifetime)


def _person_form(user: User | None = None) -> PersonForm:
    db = get_session()
    form = PersonForm(obj=user)
    form.tier_id.choices = [(t.id, f"{t.id} · {t.name}") for t in services.list_tiers(db)]
    form.roles.choices = list(services.role_labels().items())
    kinds = services.kind_labels()
    form.group_ids.choices = [(g.id, f"{kinds[g.kind]}: {g.name}")
                              for g in services.list_groups(db)]
    if user is not None and request.method == "GET":
        form.roles.data = sorted(user.roles)
        form.group_ids.data = [g.id for g in user.groups]
    elif user is None and request.method == "GET":
        form.roles.data = ["employee"]
        form.tier_id.data = 3
    return form


def _person_data(form: PersonForm) -> services.PersonData:
    return services.PersonData(
        email=form.email.data, name=form.name.data, language=form.language.data,
        tier_id=form.tier_id.data, roles=set(form.roles.data), group_ids=set(form.group_ids.data),
        is_active=form.is_active.data,
    )


@bp.get("/people")
@admin_only
def people() -> str:
    db = get_session()
    form = PeopleFilterForm(request.args)
    tiers = services.list_tiers(db)
    groups = services.list_groups(db)
    form.tier.choices = [(0, _("All tiers"))] + [(t.id, t.name) for t in tiers]
    form.group.choices = [(0, _("All groups"))] + [(g.id, g.name) for g in groups]
    form.role.choices = [("", _("All roles")), *services.role_labels().items()]
    form.active.choices = [("", _("Everyone")), ("yes", _("Active")), ("no", _("Deactivated"))]
    form.validate()
    flt = services.PeopleFilter(
        search=form.q.data or "", tier_id=form.tier.data or None,
        group_id=form.group.data or None, role=form.role.data or None,
        active={"yes": True, "no": False}.get(form.active.data or ""),
    )
    page = services.list_users(db, flt, request.args.get("page", 1, type=int))
    return render_template("people/list.html", form=form, page=page,
                           role_labels=services.role_labels(), kind_labels=services.kind_labels(),
                           open_deletions=erasure.open_count(db))


@bp.get("/people/new")
@admin_only
def person_new() -> str:
    return render_template("people/edit.html", form=_person_form(), user=None)


@bp.post("/people/new")
@admin_only
def person_create() -> str | Response:
    form = _person_form()
    if form.validate():
        db = get_session()
        try:
            user = services.create_user(db, _person_data(form))
            audit(db, current_user.id, "person.created",
                  f"{user.email}: roles {', '.join(sorted(user.roles))}, tier {user.tier_id}")
            if form.send_invitation.data and user.is_active and _invitations_on():
                _invite(user)
        except DomainError as exc:
            flash(exc.message, "error")
        else:
            db.commit()
            flash(_("%(name)s has been added.", name=user.name), "success")
            return redirect(url_for("people.people"))
    return render_template("people/edit.html", form=form, user=None), 400


def _load_user(user_id: int) -> User:
    user = services.get_user(get_session(), user_id)
    if user is None:
        abort(404)
    return user


@bp.get("/people/<int:user_id>")
@admin_only
def person_edit(user_id: int) -> str:
    user = _load_user(user_id)
    return render_template("people/edit.html", form=_person_form(user), user=user,
                           invite_form=ConfirmForm())


@bp.post("/people/<int:user_id>")
@admin_only
def person_update(user_id: int) -> str | Response:
    user = _load_user(user_id)
    form = _person_form(user)
    db = get_session()
    if form.validate():
        try:
            services.update_user(db, current_user, user, _person_data(form))
        except DomainError as exc:
            db.rollback()
            flash(exc.message, "error")
        else:
            db.commit()
            flash(_("Changes to %(name)s are saved.", name=user.name), "success")
            return redirect(url_for("people.people"))
    return render_template("people/edit.html", form=form, user=user,
                           invite_form=ConfirmForm()), 400


@bp.post("/people/<int:user_id>/invite")
@admin_only
def person_invite(user_id: int) -> Response:
    user = _load_user(user_id)
    if not ConfirmForm().validate():
        abort(400)
    try:
        _invite(user)
    except DomainError as exc:
        flash(exc.message, "error")
    else:
        audit(get_session(), current_user.id, "person.invited", user.email)
        get_session().commit()
        flash(_("An invitation is on its way to %(email)s.", email=user.email), "success")
    return redirect(url_for("people.person_edit", user_id=user.id))


@bp.get("/people/import")
@admin_only
def import_start() -> str:
    return render_template("people/import.html", form=ImportUploadForm(),
                           columns=importer.COLUMNS)


@bp.get("/people/import/template.csv")
@admin_only
def import_template() -> Response:
    return Response(
        "\ufeff" + importer.template_csv(),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=people-template.csv"},
    )


def _preview(data: bytes, filename: str) -> tuple[str, int]:
    db = get_session()
    try:
        plan = importer.parse(db, data, current_user, current_app.config["IMPORT_MAX_ROWS"])
    except importer.ImportFileError as exc:
        form = ImportUploadForm()
        form.file.errors = [str(exc)]
        return render_template("people/import.html", form=form, columns=importer.COLUMNS), 400
    confirm = ImportConfirmForm(formdata=None)
    confirm.payload.data = base64.b64encode(data).decode("ascii")
    confirm.filename.data = filename
    return render_template("people/import_preview.html", plan=plan, form=confirm,
                           filename=filename, kind_labels=services.kind_labels(),
                           tier_names={t.id: t.name for t in services.list_tiers(db)}), (
        200 if plan.is_valid else 400)


@bp.post("/people/import")
@admin_only
def import_preview() -> tuple[str, int]:
    form = ImportUploadForm()
    if not form.validate():
        return render_template("people/import.html", form=form, columns=importer.COLUMNS), 400
    upload = form.file.data
    data = upload.read(current_app.config["IMPORT_MAX_BYTES"] + 1)
    if len(data) > current_app.config["IMPORT_MAX_BYTES"]:
        form.file.errors = [_("The file is larger than %(mb)d MB.",
                              mb=current_app.config["IMPORT_MAX_BYTES"] // 1_000_000)]
        return render_template("people/import.html", form=form, columns=importer.COLUMNS), 400
    return _preview(data, upload.filename or "")


@bp.post("/people/import/confirm")
@admin_only
def import_confirm() -> str | Response | tuple[str, int]:
    form = ImportConfirmForm()
    if not form.validate():
        abort(400)
    try:
        data = base64.b64decode(form.payload.data, validate=True)
    except (binascii.Error, ValueError):
        abort(400)
    db = get_session()
    try:
        plan = importer.parse(db, data, current_user, current_app.config["IMPORT_MAX_ROWS"])
    except importer.ImportFileError:
        return _preview(data, form.filename.data or "")
    if not plan.is_valid:
        # The people changed since the preview (someone else edited them); show it again.
        return _preview(data, form.filename.data or "")
    created = importer.apply(db, plan)
    audit(db, current_user.id, "people.imported",
          f"{form.filename.data or 'file'}: {plan.count('new')} added, "
          f"{plan.count('update')} updated")
    if form.send_invitations.data and _invitations_on():
        for user in created:
            if user.is_active:
                _invite(user)
    db.commit()
    flash(_("Import finished: %(new)d added, %(updated)d updated, %(same)d unchanged.",
            new=plan.count("new"), updated=plan.count("update"), same=plan.count("unchanged")),
          "success")
    return redirect(url_for("people.people"))


@bp.get("/groups")
@admin_only
def groups() -> str:
    db = get_session()
    form = GroupForm()
    form.kind.choices = list(services.kind_labels().items())
    return render_template("people/groups.html", form=form,
                           groups=services.groups_by_kind(db), counts=services.count_members(db),
                           kind_labels=services.kind_labels(), delete_form=ConfirmForm())


@bp.post("/groups")
@admin_only
def group_create() -> str | Response:
    db = get_session()
    form = GroupForm()
    form.kind.choices = list(services.kind_labels().items())
    if form.validate():
        try:
            group = services.save_group(db, None, form.kind.data, form.name.data)
        except DomainError as exc:
            form.name.errors = [exc.message]
        else:
            audit(db, current_user.id, "group.created", f"{group.kind}: {group.name}")
            db.commit()
            flash(_("Group %(name)s created.", name=group.name), "success")
            return redirect(url_for("people.groups"))
    return render_template("people/groups.html", form=form,
                           groups=services.groups_by_kind(db), counts=services.count_members(db),
                           kind_labels=services.kind_labels(), delete_form=ConfirmForm()), 400


def _load_group(group_id: int) -> Group:
    group = get_session().get(Group, group_id)
    if group is None:
        abort(404)
    return group


@bp.route("/groups/<int:group_id>", methods=["GET", "POST"])
@admin_only
def group_edit(group_id: int) -> str | Response | tuple[str, int]:
    group = _load_group(group_id)
    form = GroupForm(obj=group)
    form.kind.choices = list(services.kind_labels().items())
    if request.method == "POST" and form.validate():
        db = get_session()
        before = {"kind": group.kind, "name": group.name}
        try:
            services.save_group(db, group, form.kind.data, form.name.data)
        except DomainError as exc:
            db.rollback()
            form.name.errors = [exc.message]
        else:
            audit_changes(db, current_user.id, "group.updated", "", before,
                          {"kind": group.kind, "name": group.name})
            db.commit()
            flash(_("Group saved."), "success")
            return redirect(url_for("people.groups"))
    status = 400 if request.method == "POST" else 200
    return render_template("people/group_edit.html", form=form, group=group,
                           delete_form=ConfirmForm()), status


@bp.route("/groups/<int:group_id>/delete", methods=["GET", "POST"])
@admin_only
def group_delete(group_id: int) -> str | Response | tuple[str, int]:
    """Show everything that uses the group, then delete it as the admin chose: uses moved
    to another group, or ended without widening anything (advocacy.group_removal)."""
    db = get_session()
    group = _load_group(group_id)
    zone = current_app.config["TIMEZONE"]
    now = utcnow()
    today = now.astimezone(ZoneInfo(zone)).date()
    form = GroupDeleteForm()
    form.move_to.choices = [SelectChoice(0, "–")] + [
        SelectChoice(g.id, g.name) for g in services.list_groups(db) if g.id != group.id]
    if request.method == "POST" and form.validate():
        move_to = db.get(Group, form.move_to.data) if form.move_to.data else None
        kind, name = group.kind, group.name
        try:
            done = group_removal.delete_group(db, group, form.choice.data, move_to,
                                              get_settings(db), now, zone, today)
        except DomainError as exc:
            db.rollback()
            form.choice.errors = [exc.message]
        else:
            audit(db, current_user.id, "group.deleted",
                  {"kind": kind, "name": name, "choice": form.choice.data, "uses": done}, now)
            db.commit()
            flash(_("Group %(name)s deleted. Its members were kept.", name=group.name),
                  "success")
            return redirect(url_for("people.groups"))
    status = 400 if request.method == "POST" else 200
    return render_template("people/group_delete.html", group=group, form=form,
                           uses=group_removal.uses(db, group, today), now=now,
                           state_labels=content_services.state_labels()), status


@bp.get("/tiers")
@admin_only
def tiers() -> str:
    db = get_session()
    return render_template("people/tiers.html", tiers=services.list_tiers(db),
                           counts=services.count_by_tier(db))


@bp.route("/tiers/<int:tier_id>", methods=["GET", "POST"])
@admin_only
def tier_edit(tier_id: int) -> str | Response | tuple[str, int]:
    db = get_session()
    tier = db.get(Tier, tier_id)
    if tier is None:
        abort(404)
    form = TierForm(data={"name": tier.custom_name, "description": tier.custom_description})
    if request.method == "POST" and form.validate():
        before = {"name": tier.custom_name, "description": tier.custom_description}
        services.update_tier(db, tier, form.name.data or "", form.description.data or "")
        audit_changes(db, current_user.id, "tier.updated", f"tier {tier.id}", before,
                      {"name": tier.custom_name, "description": tier.custom_description})
        db.commit()
        flash(_("Tier %(id)d saved.", id=tier.id), "success")
        return redirect(url_for("people.tiers"))
    status = 400 if request.method == "POST" else 200
    return render_template("people/tier_edit.html", form=form, tier=tier), status



def _deletions_page(decline_form: DeclineDeletionForm | None = None,
                    declining: int | None = None) -> str:
    return render_template("people/deletions.html",
                           requests=erasure.requests(get_session()), confirm_form=ConfirmForm(),
                           decline_form=decline_form or DeclineDeletionForm(),
                           declining=declining)


@bp.get("/people/deletions")
@admin_only
def deletions() -> str:
    return _deletions_page()


@bp.post("/people/deletions/<int:request_id>/confirm")
@admin_only
def deletion_confirm(request_id: int) -> Response:
    if not ConfirmForm().validate():
        abort(400)
    db = get_session()
    try:
        former = erasure.confirm(db, current_user, request_id, utcnow())
    except DomainError as exc:
        flash(exc.message, "error")
    else:
        db.commit()
        flash(_("The data are deleted. The shares now count as former colleague %(number)d.",
                number=-former), "success")
    return redirect(url_for("people.deletions"))


@bp.post("/people/deletions/<int:request_id>/decline")
@admin_only
def deletion_decline(request_id: int) -> Response | tuple[str, int]:
    form = DeclineDeletionForm()
    if not form.validate():
        return _deletions_page(form, request_id), 400
    carry_out(lambda: erasure.decline(get_session(), current_user, request_id,
                                      form.answer.data or "", utcnow()),
              _("The request is declined; the person has been told why."))
    return redirect(url_for("people.deletions"))
