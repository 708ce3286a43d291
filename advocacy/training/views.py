"""Training for employees (read, take the quiz), for communications (write modules) and
admins (require them)."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from advocacy.actions import carry_out
from advocacy.core.services import audit
from advocacy.db import get_session, utcnow
from advocacy.errors import DomainError
from advocacy.forms import ActionForm
from advocacy.security import role_required
from advocacy.training import bp, services
from advocacy.training.forms import ModuleForm, RequirementForm
from advocacy.training.models import TrainingModule


def _module_or_404(module_id: int, *, drafts: bool = False) -> TrainingModule:
    module = get_session().get(TrainingModule, module_id)
    if module is None or not (module.published or drafts):
        abort(404)
    return module


@bp.get("/")
@role_required("employee", "comms", "admin")
def module_list() -> str:
    db = get_session()
    return render_template("training/list.html",
                           modules=services.modules(db, drafts=current_user.has_role("comms")),
                           progress=services.progress_of(db, current_user.id))


def _module_page(module: TrainingModule, result: services.QuizResult | None = None,
                 status: int = 200) -> tuple[str, int]:
    progress = services.progress_of(get_session(), current_user.id).get(module.id)
    return render_template("training/module.html", module=module, progress=progress,
                           result=result, quiz=ActionForm(),
                           requirement_form=RequirementForm(obj=module)), status


@bp.get("/<int:module_id>")
@role_required("employee", "comms", "admin")
def module_page(module_id: int) -> tuple[str, int]:
    return _module_page(_module_or_404(module_id, drafts=current_user.has_role("comms")))


@bp.post("/<int:module_id>")
@role_required("employee")
def module_quiz(module_id: int) -> Response | tuple[str, int]:
    if not ActionForm().validate():
        abort(400)
    module = _module_or_404(module_id)
    answers = {}
    for question in module.questions:
        raw = request.form.get(f"q{question.id}", "")
        if raw.isdigit():
            answers[question.id] = int(raw)
    db = get_session()
    try:
        result = services.take_quiz(db, current_user, module.id, answers, utcnow())
    except DomainError as exc:  # unpublished or emptied while the page was open
        flash(exc.message, "error")
        return redirect(url_for("training.module_list"))
    db.commit()
    if result.passed:
        flash(_("Passed! The module is recorded as completed."), "success")
        return redirect(url_for("training.module_page", module_id=module.id))
    return _module_page(module, result, 400)


def _edit_page(form: ModuleForm, module: TrainingModule | None, status: int = 200
               ) -> tuple[str, int]:
    return render_template("training/edit.html", form=form, module=module), status


@bp.get("/new")
@role_required("comms")
def module_new() -> tuple[str, int]:
    return _edit_page(ModuleForm(), None)


@bp.get("/<int:module_id>/edit")
@role_required("comms")
def module_edit(module_id: int) -> tuple[str, int]:
    module = _module_or_404(module_id, drafts=True)
    form = ModuleForm(obj=module)
    form.quiz.data = services.quiz_text(module)
    return _edit_page(form, module)


def _save(module: TrainingModule | None) -> Response | tuple[str, int]:
    form = ModuleForm()
    if not form.validate():
        return _edit_page(form, module, 400)
    db = get_session()
    try:
        saved = services.save_module(db, current_user.id, module, form.to_data())
    except DomainError as exc:
        db.rollback()
        form.quiz.errors = [exc.message]
        return _edit_page(form, module, 400)
    db.commit()
    flash(_("Module saved."), "success")
    return redirect(url_for("training.module_page", module_id=saved.id))


@bp.post("/new")
@role_required("comms")
def module_create() -> Response | tuple[str, int]:
    return _save(None)


@bp.post("/<int:module_id>/edit")
@role_required("comms")
def module_save(module_id: int) -> Response | tuple[str, int]:
    return _save(_module_or_404(module_id, drafts=True))


@bp.post("/<int:module_id>/delete")
@role_required("comms")
def module_delete(module_id: int) -> Response:
    if not ActionForm().validate():
        abort(400)
    module = _module_or_404(module_id, drafts=True)
    if not carry_out(lambda: services.delete_module(get_session(), module),
                     _("Module deleted.")):
        return redirect(url_for("training.module_page", module_id=module_id))
    return redirect(url_for("training.module_list"))


@bp.post("/<int:module_id>/requirement")
@role_required("admin")
def module_requirement(module_id: int) -> Response:
    form = RequirementForm()
    if not form.validate():
        abort(400)
    module = _module_or_404(module_id, drafts=True)
    requirement = form.requirement.data or "none"

    def require() -> None:
        services.set_requirement(get_session(), module, requirement)
        audit(get_session(), current_user.id, "training.required",
              {"module": module.title, "requirement": requirement})

    carry_out(require, _("Requirement saved."))
    return redirect(url_for("training.module_page", module_id=module_id))
