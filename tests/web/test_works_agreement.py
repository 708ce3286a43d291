"""The works agreement: settings it fixes change only with a second admin, and the package
for the works council is generated from the live settings (page and Markdown)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from advocacy.admin import agreement
from advocacy.admin.models import SettingChange
from advocacy.admin.services import LockedSetting, get_settings, save_settings
from advocacy.core.models import AuditEvent
from advocacy.db import utcnow
from tests import factories

REPORT_FORM = {"works_council_mode": "y", "min_group_size": "7", "click_retention_months": "13",
               "individual_reports": "y"}


def test_a_locked_setting_changes_only_with_a_second_admin(client, login_as, db, make_user):
    first = login_as("admin")
    assert client.post_form("/admin/works-council/locks",
                            {"locked": ["min_group_size", "works_council_mode"]}
                            ).status_code == 302  # adding locks: at once
    db.expire_all()
    assert get_settings(db).locked_settings == "works_council_mode,min_group_size"
    response = client.post_form("/admin/settings/reports", REPORT_FORM, follow_redirects=True)
    assert "waits for a second admin" in response.get_data(as_text=True)
    db.expire_all()
    assert get_settings(db).min_group_size == 5  # held, not applied
    change = db.scalars(sa.select(SettingChange)).one()
    assert (change.key, change.value, change.state) == ("min_group_size", "7", "pending")
    page = client.get("/admin/works-council").get_data(as_text=True)
    assert "Another admin has to confirm it." in page
    refused = client.post_form(f"/admin/works-council/changes/{change.id}/confirm",
                               follow_redirects=True).get_data(as_text=True)
    assert "A second admin has to confirm a change you asked for." in refused
    second = make_user(roles={"admin"})
    client.logout()
    client.login(second.email)
    assert client.post_form(f"/admin/works-council/changes/{change.id}/confirm"
                            ).status_code == 302
    db.expire_all()
    assert get_settings(db).min_group_size == 7
    actions = db.scalars(sa.select(AuditEvent.action).where(
        AuditEvent.action.like("settings.change_%"))).all()
    assert sorted(actions) == ["settings.change_confirmed", "settings.change_requested"]
    assert first.id != second.id


def test_no_path_around_the_lock(db):
    save_settings(db, {"locked_settings": "click_retention_months"})
    with pytest.raises(LockedSetting):
        save_settings(db, {"click_retention_months": 24})
    save_settings(db, {"click_retention_months": 13})  # unchanged: nothing to confirm
    held = agreement.set_locks(db, [], actor_id=None, now=utcnow())  # lifting a lock
    assert held == ["locked_settings"]
    assert get_settings(db).locked_settings == "click_retention_months"


def test_withdrawing_a_change_leaves_the_setting(db):
    admin = factories.make_user(db, roles={"admin"})
    save_settings(db, {"locked_settings": "individual_reports"})
    assert agreement.save(db, {"individual_reports": False}, admin.id, utcnow()) == [
        "individual_reports"]
    change = agreement.pending(db)[0]
    agreement.withdraw(db, change.id, admin.id, utcnow())
    assert get_settings(db).individual_reports is True and agreement.pending(db) == []


def test_the_package_follows_the_live_settings(client, login_as, db):
    save_settings(db, {"min_group_size": 8, "click_retention_months": 6,
                       "locked_settings": "min_group_size"})
    db.commit()
    login_as("admin")
    page = client.get("/admin/works-council").get_data(as_text=True)
    for text in ("Record of processing activities (GDPR Art. 30)", "k = 8",
                 "single clicks for 6 months", "Smallest group shown (k)",
                 "Checklist for the data-protection impact assessment"):
        assert text in page
    markdown = client.get("/admin/works-council.md")
    body = markdown.get_data(as_text=True)
    assert markdown.mimetype == "text/markdown"
    assert body.startswith("# Package for the works council")
    assert "## Who sees what" in body and "k = 8" in body
    login_as("admin", language="de")
    german = client.get("/admin/works-council.md").get_data(as_text=True)
    assert "## Wer sieht was" in german and "k = 8" in german


def test_individual_reports_off_shows_nobody(client, login_as, db):
    save_settings(db, {"works_council_mode": False, "individual_reports": False})
    db.commit()
    login_as("comms")
    assert client.get("/reports/reach.csv?table=advocates").status_code == 403
