"""How audit entries read, in the reader's language (the admin's log, the works council's
list of report views).

`core.services.audit` stores an entry's facts as JSON: plain values such as ids, names,
numbers and a list of changes. Entries written before, and callers that still pass text,
hold English fragments ("for person 24", "request 3", "tier: 3 → 2", "month
2026-10-01..2026-10-31 by group"): the fragments this code has written are recognised by
their pattern and read like the facts. Both are worded here, when a log is shown. Anything
else is shown as it was stored: names, addresses and free text are data, not our words.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import format_date, format_datetime, ngettext
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice
from wtforms.fields.core import UnboundField

from advocacy.admin import agreement
from advocacy.admin.forms import ReportSettingsForm, SettingsForm
from advocacy.admin.services import DEFAULTS
from advocacy.engagement.forms import PointRulesForm
from advocacy.i18n import LANGUAGES
from advocacy.people.services import kind_labels, role_labels
from advocacy.providers.registry import NETWORKS

Facts = dict[str, Any]

FORMER = "former colleague"  # what erasure puts in place of an address (me.erasure.FORMER)


def detail_text(action: str, stored: str) -> str:
    """An entry's detail in the reader's language."""
    facts = _facts(stored)
    if facts is None:
        facts = _legacy(action, stored)
    if facts is None:
        return _value("", stored) if stored == FORMER else stored
    try:
        return _worded(action, facts)
    except (KeyError, TypeError, ValueError, IndexError):  # facts of an unexpected shape
        return _listed(facts)


def _facts(stored: str) -> Facts | None:
    if not stored.startswith("{"):
        return None
    try:
        facts = json.loads(stored)
    except ValueError:
        return None
    return facts if isinstance(facts, dict) else None


# -- wording -------------------------------------------------------------------------------


def _worded(action: str, facts: Facts) -> str:
    if "changes" in facts:
        return _changes(action, facts)
    sentence = _SENTENCES.get(action)
    if sentence is not None:
        return sentence(facts)
    return _listed(facts)


def _listed(facts: Facts) -> str:
    """Facts no sentence knows, as "key: value; ..."."""
    return "; ".join(f"{key}: {value if isinstance(value, str) else json.dumps(value)}"
                     for key, value in facts.items())


def _person(facts: Facts) -> str:
    return _("person %(id)s", id=facts["person"])


def _reward(facts: Facts) -> str:
    return ngettext("“%(reward)s” (%(num)d point)", "“%(reward)s” (%(num)d points)",
                    int(facts["price"]), reward=facts["reward"])


def _guidelines(facts: Facts) -> str:
    languages = facts.get("languages")
    if not languages:
        return _("version %(version)s: %(title)s", version=facts["version"],
                 title=facts["title"])
    return _("version %(version)s: %(title)s (%(languages)s)", version=facts["version"],
             title=facts["title"], languages=_value("language", languages))


def _since(value: str | None) -> str:
    if not value:
        return "–"
    try:
        return format_datetime(dt.datetime.fromisoformat(value), "short")
    except ValueError:
        return value


def _restarted(facts: Facts) -> str:
    why = {"budget": _("the monthly budget was used up"),
           "capped": _("the network's usage cap was reached")}
    return _("%(network)s, stopped until %(until)s because %(why)s",
             network=_value("network", facts["network"]), until=_since(facts.get("until")),
             why=why.get(facts.get("reason") or "", facts.get("reason") or "–"))


def _requirement(facts: Facts) -> str:
    labels = {"none": _("Not required"), "first_share": _("Before one's first share"),
              "tier2": _("Before joining tier 2")}
    return _("%(module)s: %(requirement)s", module=facts["module"],
             requirement=labels.get(facts["requirement"], facts["requirement"]))


def _report(facts: Facts) -> str:
    periods = {"week": _("Week"), "month": _("Month"), "quarter": _("Quarter"),
               "custom": _("Chosen days")}
    report = _("%(period)s %(first)s – %(last)s, by %(by)s",
               period=periods.get(facts["period"], facts["period"]),
               first=_day(facts["first"]), last=_day(facts["last"]),
               by=_field("report", facts["by"]))
    if facts.get("filters"):
        report += "; " + ", ".join(f"{_field('report', key)}: {_value(key, value)}"
                                   for key, value in facts["filters"])
    if facts.get("summary"):
        return _("summary: %(report)s", report=report)
    if facts.get("table"):
        return _("table “%(table)s”: %(report)s", table=facts["table"], report=report)
    return report


def _rule(facts: Facts) -> str:
    matches = {"contains": _("contains"), "equals": _("equals")}
    then = ", ".join(_("group %(id)s", id=value) if kind == "group" else
                     _("tier %(id)s", id=value) for kind, value in facts["then"])
    return f"{facts['claim']} {matches.get(facts['match'], facts['match'])} " \
           f"{facts['value']} → {then or '–'}"


def _rule_changed(facts: Facts) -> str:
    return f"{_rule(facts['before'])} ⇒ {_rule(facts['after'])}"


def _rule_moved(facts: Facts) -> str:
    where = _("up") if facts["step"] == "up" else _("down")
    return f"{_rule(facts['rule'])}: {where}"


def _use(use: list[Any]) -> str:
    """One use of a deleted group and what happened to it (advocacy.group_removal)."""
    kind, _id, name, outcome, groups = use
    words = {
        ("item", "withdrawn"): _("item “%(name)s”: taken off the feed"),
        ("item", "marked"): _("item “%(name)s”: its audience must be chosen again"),
        ("item", "narrowed"): _("item “%(name)s”: still aimed at %(groups)s"),
        ("item", "moved"): _("item “%(name)s”: now aimed at %(groups)s"),
        ("challenge", "ended"): _("challenge “%(name)s”: ended and settled"),
        ("challenge", "team_removed"): _("challenge “%(name)s”: team removed"),
        ("challenge", "moved"): _("challenge “%(name)s”: the team is now %(groups)s"),
        ("rule", "deleted"): _("sign-on rule %(name)s: deleted"),
        ("rule", "moved"): _("sign-on rule %(name)s: now grants %(groups)s"),
    }.get((kind, outcome), "%(name)s")
    return words % {"name": name, "groups": groups}


def _group_deleted(facts: Facts) -> str:
    group = f"{_value('kind', facts['kind'])}: {facts['name']}"
    uses = facts.get("uses") or []
    return "; ".join([group, *(_use(use) for use in uses)])


def _locked_change(facts: Facts) -> str:
    labels = agreement.setting_labels()
    return f"{labels.get(facts['key'], facts['key'])} → " \
           f"{agreement.shown_value(facts['key'], str(facts['value']))}"


_SENTENCES: dict[str, Callable[[Facts], str]] = {
    "reward.created": _reward,
    "reward.updated": _reward,
    "reward.fulfilled": lambda f: _("“%(reward)s” for %(person)s", reward=f["reward"],
                                    person=_person(f)),
    "reward.declined": lambda f: _("“%(reward)s” for %(person)s: %(reason)s",
                                   reward=f["reward"], person=_person(f),
                                   reason=f.get("reason") or "–"),
    "worksheet.shared": lambda f: _("with a former colleague") if f["coach"] == FORMER
    else _("with %(coach)s", coach=f["coach"]),
    "deletion.requested": lambda f: _("request %(request)s", request=f["request"]),
    "deletion.withdrawn": lambda f: _("request %(request)s", request=f["request"]),
    "deletion.declined": lambda f: _("request %(request)s", request=f["request"]),
    "deletion.confirmed": lambda f: _("request %(request)s: former colleague %(former)s",
                                      request=f["request"], former=f["former"]),
    "guidelines.published": _guidelines,
    "guidelines.translated": lambda f: _(
        "version %(version)s in %(language)s: %(title)s", version=f["version"],
        language=_value("language", f["language"]), title=f["title"]),
    "posting.paused": lambda f: str(f["reason"]),
    "posting.resumed": lambda f: _("paused since %(since)s: %(reason)s",
                                   since=_since(f.get("since")),
                                   reason=f.get("reason") or "–"),
    "posting.restarted": _restarted,
    "admin.created": lambda f: str(f["email"]),
    "admin.keys_rotated": lambda f: ngettext("%(num)d secret", "%(num)d secrets",
                                             int(f["secrets"])),
    "training.required": _requirement,
    "people.imported": lambda f: _("%(file)s: %(added)s added, %(updated)s updated",
                                   file=f["file"], added=f["added"], updated=f["updated"]),
    "person.created": lambda f: _("%(email)s: roles %(roles)s, tier %(tier)s",
                                  email=f["email"], roles=_value("roles", f["roles"]),
                                  tier=f["tier"]),
    "group.created": lambda f: f"{_value('kind', f['kind'])}: {f['name']}",
    "group.deleted": _group_deleted,
    "settings.change_requested": _locked_change,
    "settings.change_confirmed": _locked_change,
    "settings.change_withdrawn": _locked_change,
    "report.viewed": _report,
    "report.exported": _report,
    "sso.rule_created": _rule,
    "sso.rule_deleted": _rule,
    "sso.rule_updated": _rule_changed,
    "sso.rule_moved": _rule_moved,
}


def _changes(action: str, facts: Facts) -> str:
    parts = []
    for change in facts["changes"]:
        if len(change) == 1:  # changed, values not recorded (a person's name or address)
            parts.append(_("%(field)s changed", field=_field(action, change[0])))
        else:
            key, old, new = change
            parts.append(f"{_field(action, key)}: {_value(key, old)} → {_value(key, new)}")
    text = "; ".join(parts)
    subject = facts.get("subject")
    return f"{_subject(action, subject)}: {text}" if subject else text


def _subject(action: str, subject: str) -> str:
    if action == "posting.budget":
        return _value("network", subject)
    tier = re.fullmatch(r"tier (\d+)", subject)
    return _("tier %(id)s", id=tier.group(1)) if tier else subject


_SETTINGS_FORMS = (SettingsForm, ReportSettingsForm, PointRulesForm)


def _form_fields(*forms: type) -> dict[str, UnboundField]:
    return {name: field for form in forms for name in dir(form)
            if isinstance(field := getattr(form, name, None), UnboundField)}


def _form_labels(*forms: type) -> dict[str, Any]:
    return {name: field.args[0] if field.args else field.kwargs.get("label", name)
            for name, field in _form_fields(*forms).items()}


def _choice_labels(key: str) -> dict[str, Any]:
    """A setting's values as its form offers them ("hidden": "left out")."""
    field = _form_fields(*_SETTINGS_FORMS).get(key)
    choices = field.kwargs.get("choices") if field is not None else None
    pairs = [(choice.value, choice.label) if isinstance(choice, SelectChoice) else choice
             for choice in choices or ()]
    return dict(pairs)


def _field(action: str, key: str) -> str:
    """A changed field's name as the pages call it."""
    if action == "settings.updated":
        labels = {**_form_labels(*_SETTINGS_FORMS),
                  "rewards_enabled": _("Rewards"), "emv_rates": _("Earned media value rates"),
                  "posting_paused": _("Posting paused"), "pause_reason": _("Reason"),
                  "paused_by": _("Paused by"), "paused_at": _("Paused since")}
        return str(labels.get(key, key))
    names = {"email": _("E-mail"), "name": _("Name"), "language": _("Language"),
             "tier": _("Tier"), "roles": _("Roles"), "groups": _("Groups"),
             "active": _("Active"), "kind": _("Kind"), "description": _("Description"),
             "posts a month": _("Posts a month"), "amount a month": _("Amount a month"),
             "group": _("Group"), "network": _("Network"), "campaign": _("Campaign")}
    return names.get(key, key)


def _day(value: str) -> str:
    try:
        return format_date(dt.date.fromisoformat(value), "medium")
    except ValueError:
        return value


def _value(key: str, value: Any) -> str:
    """A stored value as a reader understands it: yes and no, names for codes."""
    if value is None or value == "" or value == []:
        return "–"
    if isinstance(value, bool) or value in ("yes", "no") or (
            value in ("0", "1") and isinstance(DEFAULTS.get(key, lambda: None)(), bool)):
        return _("yes") if value in (True, "yes", "1") else _("no")
    if isinstance(value, list):
        return ", ".join(_value(key, v) for v in value)
    if isinstance(value, str) and key in ("roles", "language", "kind") and ", " in value:
        return ", ".join(_value(key, v) for v in value.split(", "))
    if value == FORMER:
        return _("a former colleague")
    names: Mapping[str, Any] = {"roles": role_labels(), "language": LANGUAGES,
                                "kind": kind_labels(),
                                "network": {k: n.label for k, n in NETWORKS.items()},
                                }.get(key) or _choice_labels(key)
    return str(names.get(value, value))


# -- entries written as English text -------------------------------------------------------

_CHANGE = re.compile(r"(?:(?P<subject>[^:]+): )?(?P<key>[^:]+): (?P<old>.*?) → (?P<new>.*)")
_CHANGED = re.compile(r"(?:(?P<subject>[^:]+): )?(?P<key>\w+) changed")
_REPORT = re.compile(r"(?:(?P<summary>summary) |(?P<table>\w+): )?(?P<period>week|month|"
                     r"quarter|custom) (?P<first>[\d-]+)\.\.(?P<last>[\d-]+) by (?P<by>\w+)"
                     r"(?:; (?P<filters>.*))?")
_RULE = re.compile(r"(?P<claim>\S+) (?P<match>equals|contains) (?P<value>'.*'|\".*\") → "
                   r"(?P<then>.*)")

_GROUP = re.compile(r"(?P<kind>department|location|custom): (?P<name>.*)")
_PATTERNS: dict[str, re.Pattern[str]] = {
    "reward.fulfilled": re.compile(r"(?P<reward>.*) for person (?P<person>\d+)"),
    "reward.declined": re.compile(r"(?P<reward>.*?) for person (?P<person>\d+): (?P<reason>.*)"),
    "reward.created": re.compile(r"(?P<reward>.*) \((?P<price>\d+) points\)"),
    "reward.updated": re.compile(r"(?P<reward>.*) \((?P<price>\d+) points\)"),
    "worksheet.shared": re.compile(r"with (?P<coach>.+)"),
    "deletion.requested": re.compile(r"request (?P<request>\d+)"),
    "deletion.withdrawn": re.compile(r"request (?P<request>\d+)"),
    "deletion.declined": re.compile(r"request (?P<request>\d+)"),
    "deletion.confirmed": re.compile(r"request (?P<request>\d+): former colleague "
                                     r"(?P<former>\d+)"),
    "guidelines.published": re.compile(r"version (?P<version>\d+): (?P<title>.*)"),
    "admin.keys_rotated": re.compile(r"(?P<secrets>\d+) secrets"),
    "posting.resumed": re.compile(r"paused since (?P<since>\S*(?: [\d:.+-]+)?): "
                                  r"(?P<reason>.*)"),
    "posting.restarted": re.compile(r"(?P<network>\w+): stopped for (?P<reason>\w+) until "
                                    r"(?P<until>.+)"),
    "people.imported": re.compile(r"(?P<file>.*): (?P<added>\d+) added, (?P<updated>\d+) "
                                  r"updated"),
    "person.created": re.compile(r"(?P<email>[^:]+): roles (?P<roles>.*), tier "
                                 r"(?P<tier>\S+)"),
    "group.created": _GROUP,
    "group.deleted": _GROUP,
    "training.required": re.compile(r"(?P<module>.*): (?P<requirement>none|first_share|"
                                    r"tier2)"),
}

# Actions whose text was a list of changes ("key: old → new; ...").
_CHANGE_LISTS = ("settings.updated", "person.updated", "group.updated", "tier.updated",
                 "posting.budget")


def _legacy(action: str, text: str) -> Facts | None:
    """The facts of an entry written as English text, where its pattern is known."""
    if action in _CHANGE_LISTS:
        return _legacy_changes(text)
    if action in ("report.viewed", "report.exported"):
        return _legacy_report(text)
    if action.startswith("sso.rule_"):
        return _legacy_rules(action, text)
    pattern = _PATTERNS.get(action)
    match = pattern.fullmatch(text) if pattern else None
    if match is None:
        return None
    facts = {key: value for key, value in match.groupdict().items() if value is not None}
    if action == "posting.resumed" and facts["since"] in ("", "None"):
        facts["since"] = None
    if action == "posting.restarted":
        facts["until"] = facts["until"].replace(" ", "T", 1)
    return facts


def _legacy_changes(text: str) -> Facts | None:
    subject, changes = "", []
    for number, part in enumerate(text.split("; ")):
        match = _CHANGE.fullmatch(part) or _CHANGED.fullmatch(part)
        if match is None or (number and match.group("subject")):
            return None
        if match.group("subject"):
            subject = match.group("subject")
        key = match.group("key")
        changes.append([key, _legacy_value(match.group("old")), _legacy_value(
            match.group("new"))] if match.re is _CHANGE else [key])
    return {"subject": subject, "changes": changes}


def _legacy_value(text: str) -> str | None:
    return None if text == "–" else text


def _legacy_report(text: str) -> Facts | None:
    match = _REPORT.fullmatch(text)
    if match is None:
        return None
    filters = []
    for part in (match.group("filters") or "").split(", "):
        key, _sep, value = part.partition("=")
        if part and not _sep:
            return None
        if part:
            filters.append([key, value])
    return {"period": match.group("period"), "first": match.group("first"),
            "last": match.group("last"), "by": match.group("by"), "filters": filters,
            "summary": bool(match.group("summary")), "table": match.group("table")}


def _legacy_rule(text: str) -> Facts | None:
    match = _RULE.fullmatch(text)
    if match is None:
        return None
    then = []
    for part in filter(None, match.group("then").split(", ")):
        kind, _sep, value = part.partition(" ")
        if kind not in ("group", "tier") or not value:
            return None
        then.append([kind, value])
    return {"claim": match.group("claim"), "match": match.group("match"),
            "value": match.group("value"), "then": then}


def _legacy_rules(action: str, text: str) -> Facts | None:
    if action == "sso.rule_updated":
        before, _sep, after = text.partition(" ⇒ ")
        rules = _legacy_rule(before), _legacy_rule(after)
        return {"before": rules[0], "after": rules[1]} if all(rules) else None
    if action == "sso.rule_moved":
        rule, _sep, step = text.rpartition(": ")
        found = _legacy_rule(rule)
        return {"rule": found, "step": step} if found and step in ("up", "down") else None
    return _legacy_rule(text)
