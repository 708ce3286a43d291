"""Import people from a CSV file: read, check every row, then apply all rows or none.

Columns (English or German header, any order, case ignored; only `email` is required):

    email (E-Mail)   the person's address; identifies them on re-import
    name             full name; required for new people
    language         de or en
    tier             1, 2 or 3 (or the tier's name)
    roles            employee, comms, hr, admin; several separated by | , or ;
    department       one department; created when new
    location         one location; created when new
    groups           custom groups separated by |
    active           yes / no (also ja / nein, true / false, 1 / 0)

An empty cell, or a missing column, leaves an existing person's value as it is; new people
get the defaults (German, tier 3, role employee, active).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from sqlalchemy.orm import Session, selectinload

from advocacy.people.models import ROLES, Group, Tier, User
from advocacy.people.services import PersonData, create_user, normalize_email, role_labels
from advocacy.training.services import TrainingRequired, require_for_tier

HEADERS = {
    "email": ("email", "e-mail", "e-mail-adresse", "email address", "mail"),
    "name": ("name", "full name", "vollständiger name"),
    "language": ("language", "sprache"),
    "tier": ("tier", "stufe"),
    "roles": ("roles", "role", "rollen", "rolle"),
    "department": ("department", "abteilung"),
    "location": ("location", "standort"),
    "groups": ("groups", "gruppen"),
    "active": ("active", "aktiv"),
}
COLUMNS = tuple(HEADERS)
_ALIASES = {alias: column for column, aliases in HEADERS.items() for alias in aliases}
_LANGUAGES = {"de": "de", "deutsch": "de", "german": "de", "en": "en", "english": "en",
              "englisch": "en"}
_YES = {"yes", "y", "ja", "j", "true", "wahr", "1", "x"}
_NO = {"no", "n", "nein", "false", "falsch", "0"}
_LIST_SPLIT = re.compile(r"\s*[|,;]\s*")


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message says what to do."""


@dataclass
class ImportRow:
    line: int
    email: str
    name: str
    action: str = "new"  # new, update, unchanged
    changes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    # Resolved values; None means "leave as it is".
    language: str | None = None
    tier_id: int | None = None
    roles: set[str] | None = None
    department: str | None = None
    location: str | None = None
    groups: list[str] | None = None
    active: bool | None = None


@dataclass
class ImportPlan:
    rows: list[ImportRow]
    columns: list[str]
    new_groups: list[tuple[str, str]]

    @property
    def is_valid(self) -> bool:
        return bool(self.rows) and not any(row.problems for row in self.rows)

    @property
    def problem_rows(self) -> list[ImportRow]:
        return [row for row in self.rows if row.problems]

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action and not row.problems)


def decode(data: bytes) -> str:
    """UTF-8 text with any byte-order mark removed (Excel's "CSV UTF-8" writes one)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(
            _("The file is not saved as UTF-8. In Excel, use “Save as” and choose "
              "“CSV UTF-8 (comma delimited)”, then upload it again.")
        ) from None


def _read_table(text: str) -> tuple[list[str], list[list[str]], list[int]]:
    """Split the text into header and rows, choosing comma or semicolon by the header."""
    first_line = text.splitlines()[0] if text.strip() else ""
    if not first_line.strip():
        raise ImportFileError(_("The file is empty. The first line must name the columns."))
    best: tuple[int, str] = (-1, ",")
    for delimiter in (";", ","):
        header = next(csv.reader([first_line], delimiter=delimiter))
        known = sum(1 for cell in header if _header_key(cell) in _ALIASES)
        best = max(best, (known, delimiter))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=best[1], strict=True)
    try:
        records = [(reader.line_num, record) for record in reader]
    except csv.Error as exc:
        raise ImportFileError(
            _("The file could not be read as CSV near line %(line)d (%(reason)s). Check for "
              "quotation marks that are opened but not closed.", line=reader.line_num,
              reason=str(exc))
        ) from None
    header = records[0][1]
    body = [(line, record) for line, record in records[1:] if any(c.strip() for c in record)]
    return header, [record for _, record in body], [line for line, _ in body]


def _header_key(cell: str) -> str:
    return " ".join(cell.replace("\ufeff", "").replace("_", " ").split()).lower()


def _map_header(header: list[str]) -> dict[str, int]:
    positions: dict[str, int] = {}
    unknown = []
    for index, cell in enumerate(header):
        column = _ALIASES.get(_header_key(cell))
        if column is None:
            if cell.strip():
                unknown.append(cell.strip())
            continue
        if column in positions:
            raise ImportFileError(_("The column “%(name)s” appears twice.", name=cell.strip()))
        positions[column] = index
    if unknown:
        raise ImportFileError(
            _("Unknown columns: %(names)s. Allowed are: %(allowed)s.",
              names=", ".join(unknown), allowed=", ".join(COLUMNS))
        )
    if "email" not in positions:
        raise ImportFileError(_("The file has no “email” column. The first line must name "
                                "the columns, for example: email,name,tier"))
    return positions


def parse(session: Session, data: bytes, actor: User, max_rows: int) -> ImportPlan:
    """Read and check the file; nothing is written. Raise ImportFileError for the file."""
    header, records, lines = _read_table(decode(data))
    positions = _map_header(header)
    if not records:
        raise ImportFileError(_("The file has a header line but no people."))
    if len(records) > max_rows:
        raise ImportFileError(_("The file has %(count)d rows; at most %(max)d can be imported "
                                "at once. Please split it.", count=len(records), max=max_rows))
    context = _Context.load(session)
    rows = []
    for line, record in zip(lines, records, strict=True):
        values = {col: (record[i].strip() if i < len(record) else "")
                  for col, i in positions.items()}
        rows.append(_check_row(line, values, len(record), len(header), context, actor))
    _flag_duplicates(rows)
    _check_training(session, rows, context)
    new_groups = sorted({(kind, name) for row in rows for kind, name in _groups_of(row)
                         if (kind, name.lower()) not in context.groups})
    return ImportPlan(rows=rows, columns=list(positions), new_groups=new_groups)


def _check_training(session: Session, rows: list[ImportRow], context: _Context) -> None:
    """Whoever would join tier 2 must have passed the modules an admin requires for it."""
    for row in rows:
        if row.tier_id != 2:
            continue
        user = context.users.get(row.email)
        try:
            require_for_tier(session, user, row.name or (user.name if user else row.email), 2)
        except TrainingRequired as exc:
            row.problems.append(exc.message)


@dataclass
class _Context:
    users: dict[str, User]
    tiers: dict[str, int]
    groups: dict[tuple[str, str], Group]

    @classmethod
    def load(cls, session: Session) -> _Context:
        users = session.scalars(sa.select(User).options(selectinload(User.groups)))
        tiers: dict[str, int] = {}
        for tier in session.scalars(sa.select(Tier)):
            tiers[str(tier.id)] = tier.id
            tiers[tier.name.lower()] = tier.id
        groups = {(g.kind, g.name.lower()): g for g in session.scalars(sa.select(Group))}
        return cls({u.email: u for u in users}, tiers, groups)


def _role_names() -> dict[str, str]:
    names = {role: role for role in ROLES}
    names.update({label.lower(): role for role, label in role_labels().items()})
    return names


def _check_row(line: int, values: dict[str, str], width: int, header_width: int,
               context: _Context, actor: User) -> ImportRow:
    row = ImportRow(line=line, email=values.get("email", ""), name=values.get("name", ""))
    if width > header_width:
        row.problems.append(_("This row has more cells than the header has columns. Is there "
                              "an unquoted comma or semicolon in a value?"))
    _check_email(row)
    existing = context.users.get(row.email)
    if existing is None and not row.name:
        row.problems.append(_("A name is needed for a new person."))
    if len(row.name) > 200:
        row.problems.append(_("The name is longer than 200 characters."))
    _read_choices(row, values, context)
    if existing is not None:
        row.action = "update"
        _describe_changes(row, existing)
        if existing.id == actor.id and (
            row.active is False or (row.roles is not None and "admin" not in row.roles)
        ):
            row.problems.append(_("This is your own account: you cannot remove your own admin "
                                  "role or deactivate yourself."))
    return row


def _check_email(row: ImportRow) -> None:
    if not row.email:
        row.problems.append(_("The e-mail address is missing."))
        return
    try:
        validate_email(row.email, check_deliverability=False)
    except EmailNotValidError:
        row.problems.append(_("“%(value)s” is not a valid e-mail address.", value=row.email))
    row.email = normalize_email(row.email)


def _read_choices(row: ImportRow, values: dict[str, str], context: _Context) -> None:
    if value := values.get("language"):
        row.language = _LANGUAGES.get(value.lower())
        if row.language is None:
            row.problems.append(_("Language must be de or en, not “%(value)s”.", value=value))
    if value := values.get("tier"):
        row.tier_id = context.tiers.get(value.lower())
        if row.tier_id is None:
            row.problems.append(_("Tier must be 1, 2 or 3, not “%(value)s”.", value=value))
    if value := values.get("roles"):
        names = _role_names()
        given = [part for part in _LIST_SPLIT.split(value) if part]
        unknown = [part for part in given if part.lower() not in names]
        if unknown:
            row.problems.append(_("Unknown role “%(value)s”. Roles are: %(allowed)s.",
                                  value=", ".join(unknown), allowed=", ".join(ROLES)))
        row.roles = {names[part.lower()] for part in given if part.lower() in names}
    if value := values.get("active"):
        if value.lower() in _YES:
            row.active = True
        elif value.lower() in _NO:
            row.active = False
        else:
            row.problems.append(_("Active must be yes or no, not “%(value)s”.", value=value))
    for column in ("department", "location"):
        if value := values.get(column):
            if len(value) > 120:
                row.problems.append(_("A group name is longer than 120 characters."))
            setattr(row, column, " ".join(value.split()))
    if value := values.get("groups"):
        row.groups = [" ".join(part.split()) for part in value.split("|") if part.strip()]
        if any(len(name) > 120 for name in row.groups):
            row.problems.append(_("A group name is longer than 120 characters."))


def _groups_of(row: ImportRow) -> list[tuple[str, str]]:
    pairs = []
    if row.department:
        pairs.append(("department", row.department))
    if row.location:
        pairs.append(("location", row.location))
    pairs.extend(("custom", name) for name in row.groups or [])
    return pairs


def _describe_changes(row: ImportRow, user: User) -> None:
    changes = []
    if row.name and row.name != user.name:
        changes.append(_("name"))
    if row.language and row.language != user.language:
        changes.append(_("language"))
    if row.tier_id and row.tier_id != user.tier_id:
        changes.append(_("tier %(old)d → %(new)d", old=user.tier_id, new=row.tier_id))
    if row.roles is not None and row.roles != set(user.roles):
        changes.append(_("roles"))
    if row.active is not None and row.active != user.is_active:
        changes.append(_("activated") if row.active else _("deactivated"))
    current = {(g.kind, g.name.lower()) for g in user.groups}
    for kind, name in _groups_of(row):
        if (kind, name.lower()) not in current:
            changes.append(_("joins %(group)s", group=name))
    row.changes = changes
    if not changes:
        row.action = "unchanged"


def _flag_duplicates(rows: list[ImportRow]) -> None:
    seen: dict[str, ImportRow] = {}
    for row in rows:
        if not row.email:
            continue
        first = seen.setdefault(row.email, row)
        if first is not row:
            message = _("The address %(email)s appears more than once (lines %(a)d and %(b)d).",
                        email=row.email, a=first.line, b=row.line)
            for target in (first, row):
                if message not in target.problems:
                    target.problems.append(message)


def apply(session: Session, plan: ImportPlan) -> list[User]:
    """Write a valid plan; return the people created. Callers commit only on success."""
    if not plan.is_valid:
        raise ValueError("an import plan with problems cannot be applied")
    groups = {(g.kind, g.name.lower()): g for g in session.scalars(sa.select(Group))}
    users = {u.email: u for u in session.scalars(
        sa.select(User).options(selectinload(User.groups)))}
    created = []
    for row in plan.rows:
        wanted = [_group(session, groups, kind, name) for kind, name in _groups_of(row)]
        user = users.get(row.email)
        if user is None:
            user = create_user(session, PersonData(
                email=row.email, name=row.name, language=row.language or "de",
                tier_id=row.tier_id or 3, roles=row.roles or {"employee"},
                is_active=True if row.active is None else row.active,
            ))
            created.append(user)
        elif row.action == "unchanged":
            continue
        _apply_changes(user, row, wanted)
    session.flush()
    return created


def _apply_changes(user: User, row: ImportRow, wanted: list[Group]) -> None:
    before = (user.is_active, user.roles)
    user.name = row.name or user.name
    user.language = row.language or user.language
    user.tier_id = row.tier_id or user.tier_id
    if row.active is not None:
        user.is_active = row.active
    if row.roles is not None:
        user.set_roles(row.roles)
    # A department or location given in the file replaces the previous one of that kind.
    kinds = {g.kind for g in wanted if g.kind != "custom"}
    if row.groups is not None:
        kinds.add("custom")
    keep = [g for g in user.groups if g.kind not in kinds]
    user.groups = keep + [g for g in wanted if g not in keep]
    if user.id is not None and before != (user.is_active, user.roles):
        user.session_version += 1


def _group(session: Session, groups: dict[tuple[str, str], Group], kind: str, name: str) -> Group:
    key = (kind, name.lower())
    if key not in groups:
        groups[key] = Group(kind=kind, name=name)
        session.add(groups[key])
    return groups[key]


def template_csv() -> str:
    """A sample file with every column, for the download link on the import page."""
    return ("email,name,language,tier,roles,department,location,groups,active\r\n"
            "anna.schmidt@example.com,Anna Schmidt,de,2,employee,Sales,Berlin,Speakers,yes\r\n"
            "ben.meyer@example.com,Ben Meyer,en,3,employee|comms,Marketing,Hamburg,,yes\r\n")
