"""What the shared page layout needs on every page: settings, navigation, language form.

Settings are read once per request (one small query) and only when a page is rendered.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask, g, has_request_context, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from advocacy.admin.services import ProgrammeSettings, get_settings
from advocacy.core.forms import LanguageForm
from advocacy.db import get_session, utcnow
from advocacy.i18n import LANGUAGES
from advocacy.notifications.services import unread


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: Any  # a lazy string, translated when rendered
    roles: frozenset[str] | None = None  # None: everyone logged in
    # Endpoints (or prefixes ending in "_") of the pages this item stands for.
    covers: tuple[str, ...] = ()

    def is_current(self, endpoint: str | None) -> bool:
        if not endpoint:
            return False
        return endpoint == self.endpoint or any(
            endpoint.startswith(c) if c.endswith("_") else endpoint == c for c in self.covers)


NAVIGATION = (
    NavItem("core.home", _l("Start")),
    NavItem("sharing.my_shares", _l("My shares"), frozenset({"employee"})),
    NavItem("brand.overview", _l("My brand"), frozenset({"employee"}),
            ("brand.worksheet", "brand.helpers", "brand.history", "brand.show_version",
             "brand.compare", "brand.ceo", "brand.ceo_step")),
    NavItem("engagement.points", _l("Points"), frozenset({"employee"}), ("rewards.catalogue",)),
    NavItem("engagement.leaderboard", _l("Leaderboard"), frozenset({"employee"}),
            ("challenges.challenge_",)),
    NavItem("suggestions.mine", _l("Suggest"), frozenset({"employee"})),
    NavItem("training.module_list", _l("Training"), frozenset({"employee", "comms"}),
            ("training.module_",)),
    NavItem("content.library", _l("Content"), frozenset({"comms"}),
            ("content.item_", "content.campaign_", "sharing.draft_list", "sharing.draft_new",
             "feeds.feed_")),
    NavItem("suggestions.inbox", _l("Suggestions"), frozenset({"comms"})),
    NavItem("sharing.posting", _l("Posting"), frozenset({"comms", "admin"})),
    NavItem("brand.coaching", _l("Coaching"), frozenset({"comms"}), ("brand.coached",)),
    NavItem("reports.overview", _l("Overview"), frozenset({"hr", "comms", "admin"})),
    NavItem("reports.reach_report", _l("Reach"), frozenset({"hr", "comms", "admin"}),
            ("reports.audit_log", "reports.quarterly_summary")),
    NavItem("reports.programme_health", _l("Health"), frozenset({"comms", "admin"})),
    NavItem("people.people", _l("People"), frozenset({"admin"}),
            ("people.person_", "people.import_", "people.deletion")),
    NavItem("people.groups", _l("Groups"), frozenset({"admin"}), ("people.group_",)),
    NavItem("people.tiers", _l("Tiers"), frozenset({"admin"}), ("people.tier_",)),
    NavItem("admin.settings", _l("Settings"), frozenset({"admin"}),
            ("admin.settings_", "governance.manage", "engagement.rules", "rewards.manage_",
             "sharing.posting_costs")),
)


def navigation_for(user: Any) -> list[NavItem]:
    if not user.is_authenticated:
        return []
    return [item for item in NAVIGATION if item.roles is None or user.has_role(*item.roles)]


def current_settings() -> ProgrammeSettings:
    if "programme_settings" not in g:
        g.programme_settings = get_settings(get_session())
    settings: ProgrammeSettings = g.programme_settings
    return settings


def init_app(app: Flask) -> None:
    @app.context_processor
    def _layout() -> dict[str, Any]:
        if not has_request_context():
            return {}  # an e-mail rendered by a job or a command: no page around it
        language_form = LanguageForm(formdata=None, language=str(get_locale()),
                                     next=request.full_path.rstrip("?"))
        return {
            "programme": current_settings(),
            "nav_items": navigation_for(current_user),
            "language_form": language_form,
            "languages": LANGUAGES,
            "current_language": str(get_locale()),
            "now": utcnow(),
            # One indexed count per page, for the number next to "Notifications".
            "unread_notifications": unread(get_session(), current_user.id)
            if current_user.is_authenticated else 0,
        }
