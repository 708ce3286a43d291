"""The reward catalogue for employees, and the admins' page to offer rewards and hand
them out."""

from __future__ import annotations

import secrets

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from advocacy.actions import carry_out
from advocacy.admin.services import save_settings
from advocacy.core.services import audit
from advocacy.db import get_session, utcnow
from advocacy.errors import DomainError
from advocacy.forms import ActionForm
from advocacy.layout import current_settings
from advocacy.rewards import bp, services
from advocacy.rewards.forms import DeclineRedemptionForm, OfferForm, RedeemForm, RewardForm
from advocacy.rewards.models import Reward
from advocacy.security import role_required


@bp.get("/")
@role_required("employee")
def catalogue() -> str:
    db = get_session()
    enabled = current_settings().rewards_enabled
    # A fresh nonce per page view: sending this form twice redeems once.
    form = RedeemForm(formdata=None, nonce=secrets.token_hex(16))
    return render_template(
        "rewards/catalogue.html", enabled=enabled, form=form,
        rewards=services.catalogue(db) if enabled else [],
        balance=services.balance(db, current_user.id),
        redemptions=services.mine(db, current_user.id))


@bp.post("/<int:reward_id>/redeem")
@role_required("employee")
def redeem(reward_id: int) -> Response:
    form = RedeemForm()
    if not form.validate():
        abort(400)
    db = get_session()
    try:
        redemption = services.redeem(db, current_user, reward_id, form.nonce.data or "",
                                     current_settings(), utcnow())
    except DomainError as exc:
        db.rollback()
        flash(exc.message, "error")
        return redirect(url_for("rewards.catalogue"))
    db.commit()
    flash(_("Done: “%(reward)s” for %(points)d points. An admin will be in touch.",
            reward=redemption.reward_name, points=redemption.points), "success")
    return redirect(url_for("rewards.catalogue"))


def _manage_page(reward_form: RewardForm | None = None,
                 decline_form: DeclineRedemptionForm | None = None,
                 declining: int | None = None) -> str:
    db = get_session()
    open_requests, decided = services.requests(db)
    return render_template(
        "rewards/manage.html",
        offer_form=OfferForm(rewards_enabled=current_settings().rewards_enabled),
        reward_form=reward_form or RewardForm(), rewards=services.catalogue(db, everything=True),
        open_requests=open_requests, decided=decided, action=ActionForm(),
        decline_form=decline_form or DeclineRedemptionForm(), declining=declining)


@bp.get("/manage")
@role_required("admin")
def manage_page() -> str:
    return _manage_page()


@bp.post("/manage/offer")
@role_required("admin")
def manage_offer() -> Response:
    form = OfferForm()
    if not form.validate():
        abort(400)
    db = get_session()
    save_settings(db, {"rewards_enabled": bool(form.rewards_enabled.data)}, current_user.id)
    db.commit()
    flash(_("Rewards are offered now.") if form.rewards_enabled.data
          else _("Rewards are not offered now."), "success")
    return redirect(url_for("rewards.manage_page"))


@bp.post("/manage/new")
@role_required("admin")
def manage_new() -> Response | tuple[str, int]:
    form = RewardForm()
    if not form.validate():
        return _manage_page(reward_form=form), 400
    db = get_session()
    reward = services.save_reward(db, None, form.to_data())
    audit(db, current_user.id, "reward.created", {"reward": reward.name, "price": reward.price})
    db.commit()
    flash(_("Reward saved."), "success")
    return redirect(url_for("rewards.manage_page"))


def _reward_or_404(reward_id: int) -> Reward:
    reward = get_session().get(Reward, reward_id)
    if reward is None:
        abort(404)
    return reward


@bp.get("/manage/<int:reward_id>")
@role_required("admin")
def manage_edit(reward_id: int) -> str:
    reward = _reward_or_404(reward_id)
    return render_template("rewards/edit.html", reward=reward, form=RewardForm(obj=reward))


@bp.post("/manage/<int:reward_id>")
@role_required("admin")
def manage_save(reward_id: int) -> Response | tuple[str, int]:
    reward = _reward_or_404(reward_id)
    form = RewardForm()
    if not form.validate():
        return render_template("rewards/edit.html", reward=reward, form=form), 400
    db = get_session()
    services.save_reward(db, reward, form.to_data())
    audit(db, current_user.id, "reward.updated", {"reward": reward.name, "price": reward.price})
    db.commit()
    flash(_("Reward saved."), "success")
    return redirect(url_for("rewards.manage_page"))


@bp.post("/requests/<int:redemption_id>/fulfil")
@role_required("admin")
def manage_fulfil(redemption_id: int) -> Response:
    if not ActionForm().validate():
        abort(400)
    carry_out(lambda: services.fulfil(get_session(), current_user, redemption_id, utcnow()),
              _("Marked as handed over; the colleague has been told."))
    return redirect(url_for("rewards.manage_page"))


@bp.post("/requests/<int:redemption_id>/decline")
@role_required("admin")
def manage_decline(redemption_id: int) -> Response | tuple[str, int]:
    form = DeclineRedemptionForm()
    if not form.validate():
        return _manage_page(decline_form=form, declining=redemption_id), 400
    carry_out(lambda: services.cancel(get_session(), current_user, redemption_id,
                                      form.reason.data or "", utcnow()),
              _("Declined; the colleague has their points back and knows why."))
    return redirect(url_for("rewards.manage_page"))
