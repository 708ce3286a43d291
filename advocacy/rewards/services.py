"""Rewards: the catalogue, redeeming points, fulfilling and cancelling.

Redeeming must neither overspend nor oversell, even with two clicks at once: the stock and
the points spent are each changed by one conditional UPDATE that only succeeds while
there is stock and enough spendable points, in the same transaction as the redemption
(the caller rolls back on an error). The form's nonce is unique per person, so the same
form sent twice redeems once. Callable without a request; the caller commits.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from advocacy.admin.services import ProgrammeSettings
from advocacy.core.services import audit
from advocacy.engagement.models import PointTotal
from advocacy.engagement.services import ALL_TIME
from advocacy.errors import DomainError
from advocacy.notifications.services import notify
from advocacy.people.models import User
from advocacy.rewards.models import PointWallet, Redemption, Reward

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Balance:
    lifetime: int
    spent: int

    @property
    def spendable(self) -> int:
        return max(0, self.lifetime - self.spent)


def _lifetime(user_id: int) -> sa.ScalarSelect:  # type: ignore[type-arg]
    return sa.select(sa.func.coalesce(sa.func.sum(PointTotal.points), 0)).where(
        PointTotal.user_id == user_id, PointTotal.period == "all",
        PointTotal.period_start == ALL_TIME).scalar_subquery()


def balance(session: Session, user_id: int) -> Balance:
    lifetime, spent = session.execute(sa.select(
        _lifetime(user_id),
        sa.select(sa.func.coalesce(sa.func.sum(PointWallet.spent), 0))
        .where(PointWallet.user_id == user_id).scalar_subquery())).one()
    return Balance(int(lifetime), int(spent))


@dataclass
class RewardData:
    name: str
    price: int
    description: str = ""
    stock: int | None = None
    active: bool = True


def save_reward(session: Session, reward: Reward | None, data: RewardData) -> Reward:
    if reward is None:
        reward = Reward()
        session.add(reward)
    reward.name, reward.description = data.name.strip(), data.description.strip()
    reward.price, reward.stock, reward.active = data.price, data.stock, data.active
    session.flush()
    return reward


def catalogue(session: Session, *, everything: bool = False) -> list[Reward]:
    query = sa.select(Reward).order_by(Reward.price, Reward.name)
    if not everything:
        query = query.where(Reward.active)
    return list(session.scalars(query))


def _wallet_exists(session: Session, user_id: int) -> None:
    dialect = session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(PointWallet)
    session.execute(insert.values(user_id=user_id, spent=0).on_conflict_do_nothing())


def redeem(session: Session, user: User, reward_id: int, nonce: str,
           settings: ProgrammeSettings, now: dt.datetime) -> Redemption:
    """Exchange points for a reward; the same `nonce` again returns the first redemption."""
    if not settings.rewards_enabled:
        raise DomainError(_("Rewards are not offered at the moment."))
    if not nonce or len(nonce) > 32:
        raise DomainError(_("The form had expired. Please send it again."))
    done = session.scalar(sa.select(Redemption).where(Redemption.user_id == user.id,
                                                      Redemption.nonce == nonce))
    if done is not None:
        return done
    reward = session.get(Reward, reward_id)
    if reward is None or not reward.active:
        raise DomainError(_("This reward is no longer offered."))
    taken = session.execute(
        sa.update(Reward).where(Reward.id == reward.id, Reward.active,
                                sa.or_(Reward.stock.is_(None), Reward.stock > 0))
        .values(stock=Reward.stock - 1).execution_options(synchronize_session=False))
    if not taken.rowcount:  # type: ignore[attr-defined]
        raise DomainError(_("Sorry, this reward is out of stock."))
    _wallet_exists(session, user.id)
    paid = session.execute(
        sa.update(PointWallet).where(PointWallet.user_id == user.id,
                                     PointWallet.spent + reward.price <= _lifetime(user.id))
        .values(spent=PointWallet.spent + reward.price)
        .execution_options(synchronize_session=False))
    if not paid.rowcount:  # type: ignore[attr-defined]
        raise DomainError(_("You do not have enough points for this reward yet."))
    redemption = Redemption(reward_id=reward.id, reward_name=reward.name, user_id=user.id,
                            points=reward.price, nonce=nonce, requested_at=now)
    session.add(redemption)
    try:
        session.flush()
    except IntegrityError:  # the same form, sent twice at the same moment
        raise DomainError(_("This request was already received.")) from None
    session.expire(reward)  # its stock changed in the database
    log.info("person %s redeemed reward %s for %d points", user.id, reward.id, reward.price)
    return redemption


def _open(session: Session, redemption_id: int) -> Redemption:
    redemption = session.get(Redemption, redemption_id)
    if redemption is None or redemption.state != "requested":
        raise DomainError(_("This request has already been dealt with."))
    return redemption


def fulfil(session: Session, actor: User, redemption_id: int, now: dt.datetime) -> None:
    redemption = _open(session, redemption_id)
    redemption.state, redemption.decided_by_id, redemption.decided_at = (
        "fulfilled", actor.id, now)
    notify(session, redemption.user_id, "reward_fulfilled", "/rewards/", now,
           reward=redemption.reward_name)
    audit(session, actor.id, "reward.fulfilled",
          {"reward": redemption.reward_name, "person": redemption.user_id}, now)


def cancel(session: Session, actor: User, redemption_id: int, reason: str,
           now: dt.datetime) -> None:
    """Cancel a request (say, the reward cannot be had): points and stock go back."""
    redemption = _open(session, redemption_id)
    reason = reason.strip()
    if not reason:
        raise DomainError(_("Please tell the colleague why."))
    redemption.state, redemption.note = "cancelled", reason
    redemption.decided_by_id, redemption.decided_at = actor.id, now
    session.execute(sa.update(PointWallet).where(PointWallet.user_id == redemption.user_id)
                    .values(spent=PointWallet.spent - redemption.points))
    if redemption.reward_id is not None:
        session.execute(sa.update(Reward).where(Reward.id == redemption.reward_id,
                                                Reward.stock.is_not(None))
                        .values(stock=Reward.stock + 1))
    notify(session, redemption.user_id, "reward_cancelled", "/rewards/", now,
           reward=redemption.reward_name, reason=reason)
    audit(session, actor.id, "reward.declined",
          {"reward": redemption.reward_name, "person": redemption.user_id, "reason": reason},
          now)


def mine(session: Session, user_id: int, limit: int = 50) -> list[Redemption]:
    return list(session.scalars(
        sa.select(Redemption).where(Redemption.user_id == user_id)
        .order_by(Redemption.requested_at.desc(), Redemption.id.desc()).limit(limit)))


def requests(session: Session, limit: int = 50) -> tuple[list[Redemption], list[Redemption]]:
    """Open requests, oldest first, and the latest decided ones (people loaded)."""
    query = sa.select(Redemption).options(selectinload(Redemption.user))
    open_ = list(session.scalars(query.where(Redemption.state == "requested")
                                 .order_by(Redemption.requested_at, Redemption.id)))
    decided = list(session.scalars(query.where(Redemption.state != "requested")
                                   .order_by(Redemption.decided_at.desc()).limit(limit)))
    return open_, decided
