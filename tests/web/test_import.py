"""The import pages: upload, preview, confirm."""

from __future__ import annotations

import base64
import io
import re

import pytest
import sqlalchemy as sa

from advocacy.people.models import User


@pytest.fixture
def config_overrides(smtp_config):
    return smtp_config


def upload(client, text: str | bytes, filename: str = "people.csv"):
    data = text if isinstance(text, bytes) else text.encode("utf-8")
    return client.post_form("/admin/people/import", {"file": (io.BytesIO(data), filename)},
                            content_type="multipart/form-data")


def payload_of(page: str) -> str:
    return re.search(r'name="payload" type="hidden" value="([^"]+)"', page).group(1)


def emails(db) -> set[str]:
    return set(db.scalars(sa.select(User.email)))


def test_preview_then_confirm(client, login_as, db, mailbox):
    login_as("admin")
    preview = upload(client, "email,name,tier\nneu@example.org,Neu Mensch,2\n")
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "Every row is fine: 1 new, 0 to update, 0 unchanged." in page
    assert "neu@example.org" not in emails(db)  # nothing written yet

    response = client.post_form("/admin/people/import/confirm", {
        "payload": payload_of(page), "filename": "people.csv", "send_invitations": "y"})
    assert response.status_code == 302
    assert "neu@example.org" in emails(db)
    assert mailbox.wait_for(1)[0]["To"] == "neu@example.org"
    assert b"Import finished: 1 added, 0 updated, 0 unchanged." in client.get("/admin/people").data


def test_bad_file_lists_problems_and_writes_nothing(client, login_as, db):
    login_as("admin")
    before = emails(db)
    response = upload(client, "\ufeffemail;name;tier\nok@example.org;Ok;1\nbroken;Bad;9\n")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Nothing was imported" in page
    assert "“broken” is not a valid e-mail address." in page
    assert "Tier must be 1, 2 or 3, not “9”." in page
    assert 'name="payload"' not in page  # no way to confirm a bad file
    assert emails(db) == before


def test_unreadable_file_is_explained_on_the_upload_page(client, login_as):
    login_as("admin")
    response = upload(client, "Name,Abteilung\nA,B\n")
    assert response.status_code == 400
    assert "The file has no “email” column." in response.get_data(as_text=True)


def test_wrong_file_type_is_refused(client, login_as):
    login_as("admin")
    response = upload(client, "email\nx@example.org\n", filename="people.xlsx")
    assert response.status_code == 400
    assert b"Upload a .csv file." in response.data


def test_missing_file(client, login_as):
    login_as("admin")
    response = client.post_form("/admin/people/import", {}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert b"Choose a CSV file to upload." in response.data


def test_too_large_file_is_refused(client, login_as, app):
    login_as("admin")
    app.config["IMPORT_MAX_BYTES"] = 100
    response = upload(client, "email,name\n" + "a@example.org,A\n" * 20)
    assert response.status_code == 400
    assert b"larger than" in response.data


def test_confirm_rechecks_a_tampered_payload(client, login_as, db):
    login_as("admin")
    before = emails(db)
    forged = base64.b64encode(b"email,name\nnot-valid,X\n").decode()
    response = client.post_form("/admin/people/import/confirm", {"payload": forged})
    assert response.status_code == 400
    assert b"Nothing was imported" in response.data
    assert emails(db) == before
    assert client.post_form("/admin/people/import/confirm",
                            {"payload": "%%% not base64"}).status_code == 400


def test_template_download_is_excel_friendly(client, login_as):
    login_as("admin")
    response = client.get("/admin/people/import/template.csv")
    assert response.mimetype == "text/csv"
    assert response.data.startswith("\ufeff".encode())
    assert "attachment" in response.headers["Content-Disposition"]
