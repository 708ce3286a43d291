"""Deleting a group without widening anything (a cross-area service: people, content,
challenges, single sign-on).

A group is used by item targeting, challenge teams and single-sign-on rules. Letting the
database cascade a deletion did three silent things: an item aimed only at the group was
shown to everyone, a running challenge lost a team, and a sign-on rule vanished. Here the
admin first sees every use (`uses`) and then chooses one of two endings (`delete_group`):

- **move**: every use is moved to another group (items are aimed at it, it becomes the
  team, rules grant it). Who sees those items changes exactly as the admin was shown.
- **end**: uses end, and nothing widens. An item aimed at no other group is taken off the
  feed and marked, so that it cannot be published to everyone until communications choose
  its audience again (`ContentItem.targets_removed`); one aimed at other groups too keeps
  those. A running challenge ends today and is settled at once with the team in it
  (a running challenge cannot lose a team); one not started yet loses the team; rules that
  grant the group are deleted.

The audit entry names everything affected.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from advocacy.admin.services import ProgrammeSettings
from advocacy.challenges import services as challenges
from advocacy.challenges.models import Challenge, challenge_group
from advocacy.content.models import ContentItem, item_group
from advocacy.errors import DomainError
from advocacy.people.models import Group, user_group
from advocacy.sso.models import SsoRule

CHOICES = ("move", "end")


@dataclass(frozen=True)
class ItemUse:
    item: ContentItem
    only_group: bool  # aimed at no other group: without it, it would be for everyone


@dataclass(frozen=True)
class Uses:
    members: int
    items: list[ItemUse] = field(default_factory=list)
    running: list[Challenge] = field(default_factory=list)  # started, not settled
    upcoming: list[Challenge] = field(default_factory=list)
    rules: list[SsoRule] = field(default_factory=list)

    @property
    def any(self) -> bool:
        return bool(self.items or self.running or self.upcoming or self.rules)


def uses(session: Session, group: Group, today: dt.date) -> Uses:
    """Everything that uses the group, whatever its state (an archived item can be
    restored, so it counts too). Five queries."""
    members = session.scalar(sa.select(sa.func.count()).select_from(user_group)
                             .where(user_group.c.group_id == group.id)) or 0
    items = list(session.scalars(
        sa.select(ContentItem).join(item_group, item_group.c.item_id == ContentItem.id)
        .where(item_group.c.group_id == group.id).order_by(ContentItem.id)))
    others = set(session.scalars(
        sa.select(item_group.c.item_id).where(
            item_group.c.item_id.in_([item.id for item in items]),
            item_group.c.group_id != group.id)))
    teams = list(session.scalars(
        sa.select(Challenge).join(challenge_group, challenge_group.c.challenge_id == Challenge.id)
        .where(challenge_group.c.group_id == group.id, Challenge.settled_at.is_(None))
        .order_by(Challenge.starts_on, Challenge.id)))
    rules = list(session.scalars(sa.select(SsoRule).where(SsoRule.group_id == group.id)
                                 .order_by(SsoRule.position)))
    return Uses(members, [ItemUse(item, item.id not in others) for item in items],
                [c for c in teams if c.starts_on <= today],
                [c for c in teams if c.starts_on > today], rules)


# What happened to one use, for the audit entry (worded in the reader's language by
# advocacy.admin.audit_words): [kind, id, name, outcome, group names].
Done = list[object]


def delete_group(session: Session, group: Group, choice: str, move_to: Group | None,
                 settings: ProgrammeSettings, now: dt.datetime, timezone: str,
                 today: dt.date) -> list[Done]:
    """Delete the group after moving or ending its uses; return what was done to each use,
    for the audit entry."""
    if choice not in CHOICES:
        raise DomainError(_("Choose what happens to what uses the group."))
    if choice == "move" and (move_to is None or move_to.id == group.id):
        raise DomainError(_("Choose the group that takes over."))
    found = uses(session, group, today)
    if choice == "move":
        assert move_to is not None
        done = _move(found, group, move_to)
    else:
        done = _end(session, found, group, settings, now, timezone, today)
    session.delete(group)
    session.flush()
    return done


def _move(found: Uses, group: Group, move_to: Group) -> list[Done]:
    for challenge in found.running + found.upcoming:
        if move_to in challenge.groups:
            raise DomainError(_("%(group)s is already a team in the challenge %(title)s: "
                                "choose another group.", group=move_to.name,
                                title=challenge.title))
    done: list[Done] = []
    for use in found.items:
        groups = [g for g in use.item.target_groups if g.id != group.id]
        use.item.target_groups = groups + ([move_to] if move_to not in groups else [])
        done.append(["item", use.item.id, use.item.title, "moved", move_to.name])
    for challenge in found.running + found.upcoming:
        challenge.groups = [g for g in challenge.groups if g.id != group.id] + [move_to]
        done.append(["challenge", challenge.id, challenge.title, "moved", move_to.name])
    for rule in found.rules:
        rule.group_id = move_to.id
        done.append(["rule", rule.id, f"{rule.claim} {rule.kind} {rule.value}", "moved",
                     move_to.name])
    return done


def _end(session: Session, found: Uses, group: Group, settings: ProgrammeSettings,
         now: dt.datetime, timezone: str, today: dt.date) -> list[Done]:
    done: list[Done] = []
    for use in found.items:
        item = use.item
        item.target_groups = [g for g in item.target_groups if g.id != group.id]
        if not use.only_group:
            done.append(["item", item.id, item.title, "narrowed",
                         ", ".join(g.name for g in item.target_groups)])
            continue
        item.targets_removed = True
        if item.state == "approved":
            item.state, item.withdrawn_reason = "draft", "group"
            item.approved_by_id = item.approved_at = item.live_from = None
            done.append(["item", item.id, item.title, "withdrawn", ""])
        else:
            done.append(["item", item.id, item.title, "marked", ""])
    for challenge in found.running:
        challenge.ends_on = max(challenge.starts_on, today)
        session.flush()
        challenges.settle(session, challenge, settings, now, timezone)
        done.append(["challenge", challenge.id, challenge.title, "ended", ""])
    for challenge in found.upcoming:
        challenge.groups = [g for g in challenge.groups if g.id != group.id]
        done.append(["challenge", challenge.id, challenge.title, "team_removed", ""])
    for rule in found.rules:
        done.append(["rule", rule.id, f"{rule.claim} {rule.kind} {rule.value}", "deleted", ""])
        session.delete(rule)
    return done
