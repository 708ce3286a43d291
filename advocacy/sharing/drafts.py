"""White glove: communications prepares posts for executives (tier 1).

A draft is only a proposal. It is posted after the executive has read it, edited it if they
like, and approved it themselves, from their own account (or their own share page when no
account is connected). Nothing is ever posted without the account owner's own action.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping
from typing import Any

import sqlalchemy as sa
from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session, selectinload

from advocacy import mail
from advocacy.accounts.models import SocialAccount
from advocacy.accounts.services import configured_networks
from advocacy.admin.services import ProgrammeSettings
from advocacy.content.budget import measure_share, sample_link
from advocacy.content.models import ContentItem
from advocacy.db import utcnow
from advocacy.errors import DomainError
from advocacy.people.models import User, UserRole
from advocacy.providers.registry import NETWORKS
from advocacy.sharing import outbox
from advocacy.sharing.models import ExecutiveDraft
from advocacy.sharing.services import (
    ShareRequest,
    confirm_guidelines,
    create_share,
    visible_item,
)

log = logging.getLogger(__name__)


def executives(session: Session) -> list[User]:
    """Active tier-1 people who take part (the employee role)."""
    return list(session.scalars(
        sa.select(User).join(UserRole, UserRole.user_id == User.id)
        .where(User.tier_id == 1, User.is_active, UserRole.role == "employee")
        .order_by(User.name)))


def _check_text(network: str, text: str, item: ContentItem, settings: ProgrammeSettings,
                base_url: str) -> None:
    if network not in NETWORKS:
        raise DomainError(_("Choose a network."))
    size = measure_share(network, text, settings.disclosure_line(item.language),
                         sample_link(base_url))
    if size.over:
        raise DomainError(_("The text is too long for %(network)s: %(used)d of %(limit)d "
                            "(including the disclosure line and the link).",
                            network=NETWORKS[network].label, used=size.used,
                            limit=size.limit or 0))


def propose(session: Session, author: User, item: ContentItem, executive: User, network: str,
            text: str, post_at: dt.datetime | None, note: str, settings: ProgrammeSettings,
            base_url: str, review_link: str) -> ExecutiveDraft:
    """Prepare a post for an executive and tell them about it."""
    if executive.tier_id != 1 or not executive.is_active or not executive.has_role("employee"):
        raise DomainError(_("Drafts can only be prepared for active people in tier 1."))
    if item.state != "approved":
        raise DomainError(_("Only approved items can be proposed."))
    _check_text(network, text, item, settings, base_url)
    draft = ExecutiveDraft(item_id=item.id, executive_id=executive.id, author_id=author.id,
                           network=network, text=text.strip(), note=note.strip(),
                           post_at=post_at, state="proposed", created_at=utcnow())
    session.add(draft)
    session.flush()
    with force_locale(executive.language):
        mail.queue(session, mail.Mail(
            to=executive.email,
            subject=_("A post prepared for you: %(title)s", title=item.title),
            body=render_template("email/executive_draft.txt", executive=executive,
                                 author=author, item=item, draft=draft, link=review_link,
                                 network=NETWORKS[network].label)))
    log.info("draft %s proposed to person %s by %s", draft.id, executive.id, author.id)
    return draft


def pending_for(session: Session, executive: User) -> list[ExecutiveDraft]:
    return list(session.scalars(
        sa.select(ExecutiveDraft).join(ExecutiveDraft.item)
        .where(ExecutiveDraft.executive_id == executive.id,
               ExecutiveDraft.state == "proposed", ContentItem.state == "approved")
        .options(selectinload(ExecutiveDraft.item), selectinload(ExecutiveDraft.author))
        .order_by(ExecutiveDraft.created_at)))


def all_drafts(session: Session, limit: int = 100) -> list[ExecutiveDraft]:
    return list(session.scalars(
        sa.select(ExecutiveDraft)
        .options(selectinload(ExecutiveDraft.item), selectinload(ExecutiveDraft.executive),
                 selectinload(ExecutiveDraft.author))
        .order_by(ExecutiveDraft.created_at.desc()).limit(limit)))


def own_draft(session: Session, executive: User, draft_id: int) -> ExecutiveDraft:
    draft = session.get(ExecutiveDraft, draft_id)
    if draft is None or draft.executive_id != executive.id:
        raise DomainError(_("This draft is not addressed to you."))
    if draft.state != "proposed":
        raise DomainError(_("This draft has been decided already."))
    return draft


def approve(session: Session, executive: User, draft_id: int, text: str, network: str,
            post_at: dt.datetime | None, acknowledged: bool, settings: ProgrammeSettings,
            config: Mapping[str, Any], link_for: Callable[[str], str],
            now: dt.datetime | None = None) -> str | None:
    """The executive's own decision: post their version from their account (queued, or at
    the chosen time), or, without a connected account, record the share and return the
    network's share page for them to open. Returns that URL, or None when queued."""
    now = now or utcnow()
    draft = own_draft(session, executive, draft_id)
    item = draft.item
    if visible_item(session, executive, item.id, now) is None:
        raise DomainError(_("This item is no longer live, so the draft cannot be posted."))
    confirm_guidelines(session, executive, acknowledged, settings, config["TIMEZONE"], now)
    account = session.scalar(sa.select(SocialAccount).where(
        SocialAccount.user_id == executive.id, SocialAccount.network == network,
        SocialAccount.status == "active"))
    intent = None
    if account is not None and configured_networks(config).get(network):
        share = outbox.queue_post(session, executive, item, outbox.PostRequest(
            account, text, None, post_at), settings, link_for, now)
    else:
        share, intent = create_share(session, executive, item,
                                     ShareRequest(network, text, None, acknowledged),
                                     settings, link_for, config["TIMEZONE"], now)
    draft.state, draft.decided_at, draft.share_id = "approved", now, share.id
    draft.text, draft.network = text.strip(), network
    session.flush()
    log.info("draft %s approved by person %s", draft.id, executive.id)
    return intent


def decline(session: Session, executive: User, draft_id: int) -> None:
    draft = own_draft(session, executive, draft_id)
    draft.state, draft.decided_at = "declined", utcnow()
    session.flush()


def withdraw(session: Session, draft_id: int) -> None:
    """Communications takes back a proposal that was not decided yet."""
    draft = session.get(ExecutiveDraft, draft_id)
    if draft is None or draft.state != "proposed":
        raise DomainError(_("Only open proposals can be withdrawn."))
    draft.state, draft.decided_at = "withdrawn", utcnow()
    session.flush()


def state_labels() -> dict[str, str]:
    return {"proposed": _("waiting for the executive"), "approved": _("approved"),
            "declined": _("declined"), "withdrawn": _("withdrawn")}
