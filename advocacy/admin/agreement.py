"""The works agreement: the settings it fixes, and the package the works council and the
data-protection officer read.

Settings a works agreement fixes (works-council mode, k, how long raw clicks are kept,
individual figures in reports) can be locked. An admin's change of a locked setting, or the
lifting of a lock, is not applied but held as a `SettingChange` until a second admin
confirms it; adding a lock needs nobody (it only makes the programme stricter).
`advocacy.admin.services.save_settings` refuses an unconfirmed locked change, so no path
around this exists.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from advocacy.admin.models import SettingChange
from advocacy.admin.services import (
    LOCKABLE,
    ProgrammeSettings,
    get_settings,
    guarded,
    locked_keys,
    parsed_value,
    save_settings,
    stored_text,
)
from advocacy.core.services import audit
from advocacy.errors import DomainError


def save(session: Session, values: Mapping[str, Any], actor_id: int,
         now: dt.datetime) -> list[str]:
    """Apply what may be applied now and hold the rest for a second admin; return the
    keys held. A newer request for a key replaces an older pending one."""
    held = guarded(get_settings(session), values)
    free = {key: value for key, value in values.items() if key not in held}
    if free:
        save_settings(session, free, actor_id)
    for key, value in held.items():
        session.execute(sa.update(SettingChange).where(
            SettingChange.key == key, SettingChange.state == "pending")
            .values(state="withdrawn", decided_by_id=actor_id, decided_at=now))
        session.add(SettingChange(key=key, value=stored_text(value), requested_by_id=actor_id,
                                  requested_at=now))
        audit(session, actor_id, "settings.change_requested",
              {"key": key, "value": stored_text(value)}, now)
    session.flush()
    return sorted(held)


def set_locks(session: Session, keys: list[str], actor_id: int, now: dt.datetime) -> list[str]:
    """Lock exactly these settings (lifting a lock waits for a second admin)."""
    wanted = ",".join(key for key in LOCKABLE if key in keys)
    return save(session, {"locked_settings": wanted}, actor_id, now)


def pending(session: Session) -> list[SettingChange]:
    return list(session.scalars(sa.select(SettingChange).where(SettingChange.state == "pending")
                                .order_by(SettingChange.requested_at, SettingChange.id)))


def _open(session: Session, change_id: int) -> SettingChange:
    change = session.get(SettingChange, change_id, with_for_update=True)
    if change is None or change.state != "pending":
        raise DomainError(_("This change was already decided."))
    return change


def confirm(session: Session, change_id: int, actor_id: int, now: dt.datetime) -> SettingChange:
    """A second admin confirms a held change: it is applied now."""
    change = _open(session, change_id)
    if change.requested_by_id == actor_id:
        raise DomainError(_("A second admin has to confirm a change you asked for."))
    save_settings(session, {change.key: parsed_value(change.key, change.value)}, actor_id,
                  confirmed=True)
    change.state, change.decided_by_id, change.decided_at = "confirmed", actor_id, now
    audit(session, actor_id, "settings.change_confirmed",
          {"key": change.key, "value": change.value}, now)
    session.flush()
    return change


def withdraw(session: Session, change_id: int, actor_id: int, now: dt.datetime) -> None:
    change = _open(session, change_id)
    change.state, change.decided_by_id, change.decided_at = "withdrawn", actor_id, now
    audit(session, actor_id, "settings.change_withdrawn",
          {"key": change.key, "value": change.value}, now)
    session.flush()


def setting_labels() -> dict[str, str]:
    return {"works_council_mode": _("Works-council mode"),
            "min_group_size": _("Smallest group shown (k)"),
            "click_retention_months": _("Months raw clicks are kept"),
            "individual_reports": _("Individual figures in reports"),
            "locked_settings": _("Settings fixed by the works agreement")}


def shown_value(key: str, stored: str) -> str:
    """A stored value as a reader understands it."""
    if key == "locked_settings":
        labels = setting_labels()
        return ", ".join(labels.get(k, k) for k in stored.split(",") if k) or _("none")
    if key in ("works_council_mode", "individual_reports"):
        return _("on") if stored == "1" else _("off")
    return stored


@dataclass(frozen=True)
class Section:
    heading: str
    lines: list[str]


def package(settings: ProgrammeSettings) -> list[Section]:
    """The works-council package, worded from the live settings: the record of processing
    activities (GDPR Art. 30), who sees what, the rules in force, and a checklist for the
    data-protection impact assessment. The page and the Markdown file both show this."""
    k = settings.suppression_k
    months = settings.click_retention_months
    name = settings.programme_name
    locked = [setting_labels()[key] for key in LOCKABLE if key in locked_keys(settings)]
    if k:
        rule = _("Works-council mode is on with k = %(k)d: no report, export, chart, health "
                 "page, summary, leaderboard or challenge standing seen by others shows a "
                 "figure about fewer than %(k)d people; figures that would give such a figure "
                 "back by subtraction are hidden too, and filters that would allow it are "
                 "refused.", k=k)
    else:
        rule = _("Works-council mode is off: reports show figures about groups of any size.")
    individuals = (_("Reports show no person's own figures.") if not settings.individual_reports
                   else _("HR sees no person's own figures; communications and admins see "
                          "them only of people who joined the leaderboard.") if k
                   else _("Reports show people's own figures to HR, communications and "
                          "admins."))
    others = (_("Leaderboards name only people who chose to be named; the others appear as "
                "“a colleague”.") if settings.leaderboard_others == "anonymous"
              else _("Leaderboards list only people who chose to be named."))
    return [
        Section(_("Record of processing activities (GDPR Art. 30)"), [
            _("Name of the processing: employee advocacy programme “%(name)s”.", name=name),
            _("Controller: %(company)s.", company=settings.company_name or "–"),
            _("Purpose: employees share content of their employer on social networks of "
              "their own choice, voluntarily; the programme measures its reach in aggregate."),
            _("Legal basis: the employees' consent to take part (Art. 6(1)(a) GDPR, § 26 "
              "BDSG) and the works agreement (Art. 88 GDPR)."),
            _("People concerned: employees who take part."),
            _("Data: name, e-mail, language, tier and groups; connected network accounts "
              "(tokens encrypted at rest) and their follower counts; each share (network, "
              "text, time) with its tracked link; clicks on tracked links (time, network and "
              "a daily-changing hash of the visitor, no IP address); points and badges; a "
              "follower count a person enters themselves; the audit log of who viewed "
              "which report."),
            _("Retention: single clicks for %(months)d months, afterwards only daily totals; "
              "a person's data are erased on request (their shares then count as “a former "
              "colleague”).", months=months),
            _("Recipients: no one outside the company; the social networks receive what a "
              "person posts there themselves."),
        ]),
        Section(_("Who sees what"), [
            _("Each employee sees everything stored about them on their “My data” page."),
            _("Communications see content, aggregate reports and the programme's health."),
            _("HR sees aggregate reports."), individuals, others,
            _("Admins manage people, groups and settings; every view of a report is "
              "logged."),
        ]),
        Section(_("Rules in force"), [
            rule,
            _("Deleting a group never shows an item to more people: items aimed only at it "
              "are withdrawn until communications choose their audience again."),
            _("Settings fixed by the works agreement: %(list)s. Changing one needs a second "
              "admin's confirmation and is in the audit log.",
              list=", ".join(locked) or _("none yet")),
        ]),
        Section(_("Checklist for the data-protection impact assessment"), [
            _("Is taking part voluntary, and is not taking part free of any disadvantage?"),
            _("Is the works agreement signed, and does it fix works-council mode, k, the "
              "retention period and individual reports (locked above)?"),
            _("Is k large enough for the smallest team that reports can be filtered to?"),
            _("Do employees know what is stored (privacy notice, “My data” page)?"),
            _("Are the roles HR, communications and admin given to as few people as "
              "needed?"),
            _("Is the audit log of report views read regularly?"),
            _("Are erasure requests handled within a month?"),
        ]),
    ]
