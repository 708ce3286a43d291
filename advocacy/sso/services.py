"""Single sign-on: who a verified sign-in is, just-in-time accounts, and the rules that turn
claims into groups and a tier."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from advocacy.db import utcnow
from advocacy.errors import DomainError
from advocacy.people.models import DEFAULT_TIER, LANGUAGES, Group, User
from advocacy.people.services import PersonData, create_user, get_user_by_email, normalize_email
from advocacy.sso.models import MATCH_KINDS, SsoGroupGrant, SsoRule
from advocacy.training.services import TrainingRequired, require_for_tier

log = logging.getLogger(__name__)


class SignInRefused(DomainError):
    """The sign-in was verified, but this person may not log in; the message says why."""


# ---------------------------------------------------------------------------------------
# Rules


@dataclass
class RuleData:
    claim: str
    kind: str
    value: str
    group_id: int | None
    tier_id: int | None


def list_rules(session: Session) -> list[SsoRule]:
    return list(session.scalars(sa.select(SsoRule).order_by(SsoRule.position, SsoRule.id)))


def save_rule(session: Session, rule: SsoRule | None, data: RuleData) -> SsoRule:
    """Add a rule (at the end) or change one."""
    if data.kind not in MATCH_KINDS:
        raise DomainError(_("Unknown kind of match."))
    if data.group_id is None and data.tier_id is None:
        raise DomainError(_("Choose a group, a tier or both."))
    if data.group_id is not None and session.get(Group, data.group_id) is None:
        raise DomainError(_("One of the chosen groups no longer exists."))
    if rule is None:
        last = session.scalar(sa.select(sa.func.max(SsoRule.position)))
        rule = SsoRule(position=(last or 0) + 1)
        session.add(rule)
    rule.claim, rule.kind, rule.value = data.claim.strip(), data.kind, data.value.strip()
    rule.group_id, rule.tier_id = data.group_id, data.tier_id
    session.flush()
    return rule


def describe_rule(rule: SsoRule) -> str:
    """A rule in one line, for the audit log."""
    then = [f"group {rule.group_id}" if rule.group_id else "", f"tier {rule.tier_id}"
            if rule.tier_id else ""]
    return f"{rule.claim} {rule.kind} {rule.value!r} → {', '.join(t for t in then if t)}"


def delete_rule(session: Session, rule: SsoRule) -> None:
    """Remove a rule. Memberships it gave stay until the person's next single sign-on."""
    session.delete(rule)
    session.flush()


def move_rule(session: Session, rule: SsoRule, step: int) -> None:
    """Swap a rule with its neighbour above (step -1) or below (step 1)."""
    rules = list_rules(session)
    index = rules.index(rule)
    other = index + step
    if not 0 <= other < len(rules):
        return
    rules[index], rules[other] = rules[other], rules[index]
    for position, each in enumerate(rules, start=1):  # also repairs gaps and duplicates
        each.position = position
    session.flush()


def claim_value(claims: Mapping[str, Any], path: str) -> Any:
    """The claim at `path`; dots step into nested objects (Keycloak's realm_access.roles)."""
    if path in claims:
        return claims[path]
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def _text(value: Any) -> str:
    if isinstance(value, bool):  # JSON's true/false, as people type them
        return "true" if value else "false"
    return str(value).strip().casefold()


def rule_matches(rule: SsoRule, claims: Mapping[str, Any]) -> bool:
    """`equals`: the claim (or, for a list, one of its entries) is the value; `contains`:
    a list claim has the value as an entry, a text claim contains it. Both ignore case."""
    value = claim_value(claims, rule.claim)
    if value is None:
        return False
    wanted = _text(rule.value)
    if isinstance(value, list):
        return any(not isinstance(v, dict | list) and _text(v) == wanted for v in value)
    if isinstance(value, dict):
        return False
    if rule.kind == "contains":
        return wanted in _text(value)
    return _text(value) == wanted


@dataclass
class Outcome:
    """What the rules say for one sign-in."""

    group_ids: set[int] = field(default_factory=set)
    tier_id: int | None = None


def evaluate(rules: list[SsoRule], claims: Mapping[str, Any]) -> Outcome:
    """Every matching rule's group; the tier of the first matching rule that has one."""
    outcome = Outcome()
    for rule in rules:
        if not rule_matches(rule, claims):
            continue
        if rule.group_id is not None:
            outcome.group_ids.add(rule.group_id)
        if rule.tier_id is not None and outcome.tier_id is None:
            outcome.tier_id = rule.tier_id
    return outcome


# ---------------------------------------------------------------------------------------
# Signing in


@dataclass
class SignIn:
    user: User
    created: bool = False
    notes: list[str] = field(default_factory=list)  # to show the person (training needed)


def _refuse_deactivated() -> SignInRefused:
    # The same words as the password login.
    return SignInRefused(
        _("Your account has been deactivated. Please contact your programme administrator."))


def _language(claims: Mapping[str, Any], fallback: str) -> str:
    locale = str(claims.get("locale") or "").replace("_", "-").split("-")[0].lower()
    return locale if locale in LANGUAGES else fallback


def _name(claims: Mapping[str, Any], email: str) -> str:
    name = str(claims.get("name") or "").strip()
    if not name:
        name = " ".join(str(claims.get(k) or "").strip()
                        for k in ("given_name", "family_name")).strip()
    return (name or email.split("@", 1)[0])[:200]


def _email(claims: Mapping[str, Any], trust_email: bool) -> str | None:
    """The claimed address, only when the provider says it is verified, or when the operator
    trusts the provider's addresses (OIDC_TRUST_EMAIL; Entra ID sends no `email_verified`).
    An address nobody verified must not open someone's account here."""
    email = claims.get("email")
    verified = claims.get("email_verified")
    if not isinstance(email, str) or "@" not in email or verified is False:
        return None
    if verified is not True and not trust_email:
        return None
    return normalize_email(email)[:254]


def sign_in(session: Session, issuer: str, claims: Mapping[str, Any], *, create_users: bool,
            fallback_language: str, trust_email: bool = False,
            email_domains: frozenset[str] = frozenset(),
            now: dt.datetime | None = None) -> SignIn:
    """The person behind a verified sign-in, found, linked or created; raise SignInRefused.

    Found by the provider's subject first (a changed e-mail there changes nothing); else by
    a verified e-mail address, which links the subject to that person, unless the person
    is already linked to another subject (an e-mail claim never takes over an account);
    else, when allowed, a new employee. The rules then set groups and tier.
    """
    now = now or utcnow()
    subject = str(claims["sub"])
    email = _email(claims, trust_email)
    user = session.scalar(sa.select(User).where(User.oidc_issuer == issuer,
                                                User.oidc_subject == subject))
    result: SignIn
    if user is not None:
        result = SignIn(user)
        if not user.is_active:
            raise _refuse_deactivated()
        _follow_email(session, user, email)
    else:
        if email is None:
            raise SignInRefused(_(
                "Your company account did not give us a confirmed e-mail address, so we "
                "cannot tell who you are here. Please contact your programme administrator."))
        if email_domains and email.rpartition("@")[2] not in email_domains:
            raise SignInRefused(_(
                "The address %(email)s is not one this programme accepts. Please contact your "
                "programme administrator.", email=email))
        user = get_user_by_email(session, email)
        if user is not None:
            # Linked to this provider under another subject: never taken over by an e-mail
            # claim. Linked to an earlier issuer (the configuration changed): linked anew.
            if user.oidc_subject is not None and user.oidc_issuer == issuer:
                log.warning("single sign-on: subject for person %s's address differs from the "
                            "linked one; refused", user.id)
                raise SignInRefused(_(
                    "The account for %(email)s is linked to a different company account. "
                    "Please contact your programme administrator.", email=email))
            if not user.is_active:
                raise _refuse_deactivated()
            user.oidc_issuer, user.oidc_subject = issuer, subject
            log.info("single sign-on: person %s linked to their company account", user.id)
            result = SignIn(user)
        elif not create_users:
            raise SignInRefused(_(
                "There is no account for %(email)s here yet. Please ask your programme "
                "administrator to add you.", email=email))
        else:
            result = _create(session, issuer, subject, email, claims, fallback_language)
    _apply_rules(session, result, claims)
    result.user.last_login_at = now
    session.flush()
    log.info("person %s logged in with single sign-on", result.user.id)
    return result


def _follow_email(session: Session, user: User, email: str | None) -> None:
    """Take over an address changed at the provider, unless someone here has it already."""
    if email is None or email == user.email:
        return
    if get_user_by_email(session, email) is not None:
        log.warning("single sign-on: person %s's new address belongs to someone else; kept "
                    "the old one", user.id)
        return
    user.email = email


def _create(session: Session, issuer: str, subject: str, email: str,
            claims: Mapping[str, Any], fallback_language: str) -> SignIn:
    outcome = evaluate(list_rules(session), claims)
    name = _name(claims, email)
    notes = []
    tier_id = outcome.tier_id or DEFAULT_TIER
    try:
        require_for_tier(session, None, name, tier_id)
    except TrainingRequired as exc:  # the next sign-in after the training moves them
        notes.append(exc.message)
        tier_id = DEFAULT_TIER
    user = create_user(session, PersonData(email=email, name=name, tier_id=tier_id,
                                           language=_language(claims, fallback_language)))
    user.oidc_issuer, user.oidc_subject = issuer, subject
    session.flush()
    log.info("single sign-on: person %s created", user.id)
    return SignIn(user, created=True, notes=notes)


def _apply_rules(session: Session, result: SignIn, claims: Mapping[str, Any]) -> None:
    """Groups of matching rules are added; groups the rules gave earlier and no longer give
    are removed; groups given by hand stay. The tier follows the first matching tier rule;
    when training is still missing for that tier, the old tier stays (said in a note)."""
    user = result.user
    outcome = evaluate(list_rules(session), claims)
    granted = set(session.scalars(sa.select(SsoGroupGrant.group_id)
                                  .where(SsoGroupGrant.user_id == user.id)))
    have = {group.id for group in user.groups}
    add = outcome.group_ids - have
    if add:
        user.groups.extend(session.scalars(sa.select(Group).where(Group.id.in_(add))))
    gone = granted - outcome.group_ids
    if gone:
        user.groups = [group for group in user.groups if group.id not in gone]
        session.execute(sa.delete(SsoGroupGrant).where(SsoGroupGrant.user_id == user.id,
                                                       SsoGroupGrant.group_id.in_(gone)))
    for group_id in add - granted:  # granted before and removed by hand: the grant stands
        session.add(SsoGroupGrant(user_id=user.id, group_id=group_id))
    if outcome.tier_id is not None and outcome.tier_id != user.tier_id:
        try:
            require_for_tier(session, user, user.name, outcome.tier_id)
        except TrainingRequired as exc:
            log.info("single sign-on: person %s stays in tier %s until the training is done",
                     user.id, user.tier_id)
            if exc.message not in result.notes:
                result.notes.append(exc.message)
        else:
            user.tier_id = outcome.tier_id
    session.flush()
