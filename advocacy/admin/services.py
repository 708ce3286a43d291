"""Programme settings: declared here with their defaults, stored only when an admin changes
them. A setting that was never saved follows the default, so improving a default reaches
every installation that did not choose its own value."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from advocacy.admin.models import Setting

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SettingSpec:
    key: str
    default: Callable[[], str]


SPECS: tuple[SettingSpec, ...] = (
    SettingSpec("programme_name", lambda: _("Our Voices")),
    SettingSpec("company_name", lambda: ""),
    SettingSpec("legal_notice_url", lambda: ""),
    SettingSpec("privacy_notice_url", lambda: ""),
    # Posted on social networks in the language of the content, not of the interface.
    SettingSpec("disclosure_line_de", lambda: "Ich arbeite bei {company}. #Mitarbeiter"),
    SettingSpec("disclosure_line_en", lambda: "I work at {company}. #employee"),
)
KEYS = frozenset(spec.key for spec in SPECS)


@dataclass(frozen=True)
class ProgrammeSettings:
    programme_name: str
    company_name: str
    legal_notice_url: str
    privacy_notice_url: str
    disclosure_line_de: str
    disclosure_line_en: str

    def disclosure_line(self, language: str) -> str:
        """The disclosure line for content in `language`, with the company name filled in."""
        template = self.disclosure_line_en if language == "en" else self.disclosure_line_de
        return template.replace("{company}", self.company_name).strip()


def get_settings(session: Session) -> ProgrammeSettings:
    """All settings in one query, defaults filled in."""
    stored = {key: value for key, value in session.execute(sa.select(Setting.key, Setting.value))}
    values = {spec.key: stored.get(spec.key, spec.default()) for spec in SPECS}
    return ProgrammeSettings(**values)


def save_settings(session: Session, values: Mapping[str, str]) -> ProgrammeSettings:
    """Store the given settings; unknown keys are a programming error."""
    unknown = set(values) - KEYS
    if unknown:
        raise KeyError(f"unknown settings: {sorted(unknown)}")
    stored = {row.key: row for row in session.scalars(sa.select(Setting))}
    defaults = {spec.key: spec.default() for spec in SPECS}
    for key, value in values.items():
        value = value.strip()
        if value == defaults[key]:
            if key in stored:  # back to the default: follow future improvements of it
                session.delete(stored[key])
        elif key in stored:
            stored[key].value = value
        else:
            session.add(Setting(key=key, value=value))
    session.flush()
    log.info("settings changed: %s", ", ".join(sorted(values)))
    return get_settings(session)
