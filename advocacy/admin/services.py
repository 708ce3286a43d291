"""Programme settings: declared here with their type and default, stored only when an admin
changes them. A setting that was never saved follows the default, so improving a default
reaches every installation that did not choose its own value."""

from __future__ import annotations

import logging
import typing
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from advocacy.admin.models import Setting
from advocacy.core.services import audit_changes

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ProgrammeSettings:
    programme_name: str
    company_name: str
    legal_notice_url: str
    privacy_notice_url: str
    disclosure_line_de: str
    disclosure_line_en: str
    # Content workflow: a second comms person approves what a first one wrote.
    four_eyes: bool
    utm_medium: str
    # Leaderboards: people who did not opt in are shown as "a colleague" or left out.
    leaderboard_others: str
    points_share: int
    points_first_share: int
    points_unique_click: int
    points_guidelines_ack: int
    points_worksheet: int
    points_suggestion: int
    points_daily_cap: int
    # Posting by API: minutes between colleagues' posts of the same item (0: off), and the
    # crisis pause (nothing is sent while it is on).
    stagger_minutes: int
    posting_paused: bool
    pause_reason: str
    paused_by: str
    paused_at: str
    # Reports: the works-council mode (no cell about fewer than k people, HR sees no
    # individual figures), how long raw clicks are kept, and the earned-media-value rates
    # as "network=CPM/CPC;..." (see advocacy.reports.services.parse_rates).
    works_council_mode: bool
    min_group_size: int
    click_retention_months: int
    emv_rates: str
    # Individual figures in reports at all (then: who opted in; never for HR in works-
    # council mode), and the settings a works agreement fixes: changing one of those needs
    # a second admin (advocacy.admin.agreement). Keys, comma-separated.
    individual_reports: bool
    locked_settings: str
    # Rewards: a catalogue where points are exchanged (off unless an admin offers it).
    rewards_enabled: bool

    @property
    def suppression_k(self) -> int | None:
        """The k of the works-council rule (`advocacy.suppression`), or None when off."""
        return self.min_group_size if self.works_council_mode else None

    def disclosure_line(self, language: str) -> str:
        """The disclosure line for content in `language`, with the company name filled in."""
        template = self.disclosure_line_en if language == "en" else self.disclosure_line_de
        return template.replace("{company}", self.company_name).strip()


DEFAULTS: dict[str, Callable[[], Any]] = {
    "programme_name": lambda: _("Our Voices"),
    "company_name": lambda: "",
    "legal_notice_url": lambda: "",
    "privacy_notice_url": lambda: "",
    # Posted on social networks in the language of the content, not of the interface.
    "disclosure_line_de": lambda: "Ich arbeite bei {company}. #Mitarbeiter",
    "disclosure_line_en": lambda: "I work at {company}. #employee",
    "four_eyes": lambda: True,
    "utm_medium": lambda: "employee_advocacy",
    "leaderboard_others": lambda: "anonymous",
    "points_share": lambda: 5,
    "points_first_share": lambda: 20,
    "points_unique_click": lambda: 1,
    "points_guidelines_ack": lambda: 10,
    "points_worksheet": lambda: 25,
    "points_suggestion": lambda: 15,
    "points_daily_cap": lambda: 100,
    "stagger_minutes": lambda: 0,
    "posting_paused": lambda: False,
    "pause_reason": lambda: "",
    "paused_by": lambda: "",
    "paused_at": lambda: "",
    "works_council_mode": lambda: True,
    "min_group_size": lambda: 5,
    "click_retention_months": lambda: 13,
    "emv_rates": lambda: "",
    "individual_reports": lambda: True,
    "locked_settings": lambda: "",
    "rewards_enabled": lambda: False,
}
TYPES: dict[str, type] = typing.get_type_hints(ProgrammeSettings)
KEYS = frozenset(DEFAULTS)
LEADERBOARD_OTHERS = ("anonymous", "hidden")


def parsed_value(key: str, raw: str) -> Any:
    kind = TYPES[key]
    if kind is bool:
        return raw == "1"
    if kind is int:
        return int(raw)
    return raw


def stored_text(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value).strip()


def get_settings(session: Session) -> ProgrammeSettings:
    """All settings in one query, defaults filled in."""
    stored = {key: value for key, value in session.execute(sa.select(Setting.key, Setting.value))}
    values = {key: parsed_value(key, stored[key]) if key in stored else default()
              for key, default in DEFAULTS.items()}
    return ProgrammeSettings(**values)


LOCKABLE = ("works_council_mode", "min_group_size", "click_retention_months",
            "individual_reports")


class LockedSetting(Exception):
    """A change of a setting the works agreement fixes, without a second admin's
    confirmation: a programming error (the views hold such changes for confirmation)."""


def locked_keys(settings: ProgrammeSettings) -> frozenset[str]:
    return frozenset(key for key in settings.locked_settings.split(",") if key in LOCKABLE)


def guarded(settings: ProgrammeSettings, values: Mapping[str, Any]) -> dict[str, Any]:
    """Of `values`, the changes that need a second admin: a locked setting that would
    change, and a lock that would be lifted (adding a lock needs nobody)."""
    locked = locked_keys(settings)
    held = {key: value for key, value in values.items()
            if key in locked and stored_text(value) != stored_text(getattr(settings, key))}
    if "locked_settings" in values:
        wanted = frozenset(k for k in str(values["locked_settings"]).split(",") if k)
        if locked - wanted:
            held["locked_settings"] = values["locked_settings"]
    return held


def save_settings(session: Session, values: Mapping[str, Any],
                  actor_id: int | None = None, *, confirmed: bool = False) -> ProgrammeSettings:
    """Store the given settings; unknown keys are a programming error. With an acting
    person, what changed goes to the audit log. A change that the works agreement locks
    is refused unless a second admin `confirmed` it (the one place that enforces it)."""
    unknown = set(values) - KEYS
    if unknown:
        raise KeyError(f"unknown settings: {sorted(unknown)}")
    current = get_settings(session)
    if not confirmed and guarded(current, values):
        raise LockedSetting(sorted(guarded(current, values)))
    if actor_id is not None:
        before = asdict(current)
        audit_changes(session, actor_id, "settings.updated", "",
                      {k: stored_text(before[k]) for k in values},
                      {k: stored_text(v) for k, v in values.items()})
    stored = {row.key: row for row in session.scalars(sa.select(Setting))}
    for key, value in values.items():
        text = stored_text(value)
        if text == stored_text(DEFAULTS[key]()):
            if key in stored:  # back to the default: follow future improvements of it
                session.delete(stored[key])
        elif key in stored:
            stored[key].value = text
        else:
            session.add(Setting(key=key, value=text))
    session.flush()
    log.info("settings changed: %s", ", ".join(sorted(values)))
    return get_settings(session)


def audit_kinds() -> dict[str, str]:
    """The audit log's filter: the first part of an action name, with its label."""
    return {
        "person": _("People and roles"), "people": _("People imports"),
        "group": _("Groups"), "tier": _("Tiers"), "settings": _("Settings"),
        "guidelines": _("Guidelines"), "reward": _("Rewards"), "training": _("Training"),
        "posting": _("Posting pause"), "report": _("Reports viewed"),
        "deletion": _("Data deletion"), "worksheet": _("Worksheet sharing"),
        "sso": _("Single sign-on"), "admin": _("Command line"),
    }


def audit_action_labels() -> dict[str, str]:
    """Plain words for each action the audit log records."""
    return {
        "person.created": _("added a person"), "person.updated": _("changed a person"),
        "person.invited": _("invited a person"), "people.imported": _("imported people"),
        "group.created": _("created a group"), "group.updated": _("changed a group"),
        "group.deleted": _("deleted a group"), "tier.updated": _("changed a tier"),
        "settings.updated": _("changed settings"),
        "settings.change_requested": _("asked to change a setting the works agreement "
                                       "fixes"),
        "settings.change_confirmed": _("confirmed the change of a setting the works "
                                       "agreement fixes"),
        "settings.change_withdrawn": _("withdrew the change of a setting the works "
                                       "agreement fixes"),
        "guidelines.published": _("published guidelines"),
        "reward.created": _("added a reward"), "reward.updated": _("changed a reward"),
        "reward.fulfilled": _("handed over a reward"),
        "reward.declined": _("declined a reward request"),
        "training.required": _("changed a training requirement"),
        "posting.paused": _("paused posting"), "posting.resumed": _("resumed posting"),
        "posting.budget": _("changed a posting budget"),
        "posting.restarted": _("restarted posting by API after a cost stop"),
        "report.viewed": _("viewed a report"), "report.exported": _("exported a report"),
        "deletion.requested": _("asked for their data to be deleted"),
        "deletion.withdrawn": _("withdrew a deletion request"),
        "deletion.confirmed": _("deleted a person's data"),
        "deletion.declined": _("declined a deletion request"),
        "worksheet.shared": _("shared their worksheet"),
        "worksheet.unshared": _("stopped sharing their worksheet"),
        "sso.rule_created": _("added a sign-in rule"),
        "sso.rule_updated": _("changed a sign-in rule"),
        "sso.rule_deleted": _("deleted a sign-in rule"),
        "sso.rule_moved": _("reordered the sign-in rules"),
        "admin.created": _("made someone an admin (command line)"),
        "admin.keys_rotated": _("re-encrypted stored secrets (command line)"),
    }
