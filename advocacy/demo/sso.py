"""Demo sign-in rules, so the single sign-on page shows what rules look like (the demo has
no provider; the rules apply once one is configured)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from advocacy.people.models import Group
from advocacy.sso.models import SsoRule
from advocacy.sso.services import RuleData, save_rule


def load_sso_rules(session: Session) -> None:
    if session.scalar(sa.select(SsoRule.id).limit(1)) is not None:
        return
    groups = {(g.kind, g.name): g.id for g in session.scalars(sa.select(Group))}
    save_rule(session, None, RuleData(claim="groups", kind="contains", value="Sales",
                                      group_id=groups.get(("department", "Vertrieb")),
                                      tier_id=None))
    save_rule(session, None, RuleData(claim="groups", kind="contains", value="Speakers",
                                      group_id=groups.get(("custom", "Speaker-Pool")), tier_id=2))
    save_rule(session, None, RuleData(claim="jobTitle", kind="contains", value="Vorstand",
                                      group_id=groups.get(("custom", "Führungskreis")),
                                      tier_id=1))
