"""Mail leaves only after its transaction commits."""

from __future__ import annotations

import logging

from advocacy import mail


def test_rollback_drops_queued_mail(db):
    mail.queue(db, mail.Mail("a@example.org", "subject", "body"))
    db.rollback()
    db.commit()
    assert mail.take_ready(db) == []


def test_commit_makes_mail_ready_once(db):
    mail.queue(db, mail.Mail("a@example.org", "subject", "body"))
    assert mail.take_ready(db) == []  # not before the commit
    db.commit()
    assert [m.to for m in mail.take_ready(db)] == ["a@example.org"]
    assert mail.take_ready(db) == []


def test_without_mail_server_mail_goes_to_the_log(app, caplog):
    app.config["MAIL_SERVER"] = ""
    with caplog.at_level(logging.INFO, logger="advocacy"):
        failed = mail.deliver(app, [mail.Mail("a@example.org", "Hi", "Follow http://x/y")])
    assert failed == 0
    assert "Follow http://x/y" in caplog.text and "a@example.org" in caplog.text


def test_smtp_delivery_and_failure(app, smtp_config, mailbox, caplog):
    app.config.update(smtp_config)
    assert mail.deliver(app, [mail.Mail("b@example.org", "Grüße", "Hallo Jürgen")]) == 0
    message = mailbox.wait_for(1)[0]
    assert message["Subject"] == "Grüße"
    assert message.get_body().get_content().strip() == "Hallo Jürgen"

    app.config["MAIL_PORT"] = 1  # nothing listens there
    assert mail.deliver(app, [mail.Mail("c@example.org", "x", "y")]) == 1
    assert "Could not send e-mail to c@example.org" in caplog.text
