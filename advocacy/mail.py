"""Outgoing e-mail, sent only after the transaction that caused it has committed.

Services call `queue(session, mail)`. A committed session promotes its queue; a rolled-back
one forgets it, so no mail goes out for a change that did not happen. Web requests send
after the response has been delivered (the time a request takes then says nothing about
whether a mail was sent, which matters for password resets); commands and jobs send right
after their commit. Without MAIL_SERVER the mail is written to the log, so a local user can
follow the link.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from flask import Flask, Response, g
from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)

_QUEUED = "advocacy.mail.queued"
_READY = "advocacy.mail.ready"


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str


def queue(session: Session, mail: Mail) -> None:
    """Send `mail` once the session's transaction commits."""
    if not session.in_transaction():
        session.begin()  # so a rollback before any query still discards the mail
    session.info.setdefault(_QUEUED, []).append(mail)


def take_ready(session: Session) -> list[Mail]:
    """Mails whose transaction has committed and that are not yet handed to a sender."""
    ready: list[Mail] = session.info.pop(_READY, [])
    return ready


def _promote(session: Session) -> None:
    session.info.setdefault(_READY, []).extend(session.info.pop(_QUEUED, []))


def _forget(session: Session, transaction: Any) -> None:
    # Runs after after_commit; whatever is still queued belongs to a transaction that
    # did not commit.
    if transaction.parent is None:
        session.info.pop(_QUEUED, None)


def install(factory: sessionmaker[Session]) -> None:
    event.listen(factory, "after_commit", _promote)
    event.listen(factory, "after_transaction_end", _forget)


def deliver(app: Flask, mails: list[Mail]) -> int:
    """Send `mails` with the app's settings; return how many could not be sent.

    Failures are logged with the recipient and reason; the action that caused the mail
    (invitation, reset) can simply be repeated.
    """
    config = app.config
    failed = 0
    for mail in mails:
        message = _build(config, mail)
        if not config["MAIL_SERVER"]:
            log.info("E-mail (no MAIL_SERVER set, not sent):\n%s", message.as_string())
            continue
        try:
            _send_smtp(config, message)
        except (OSError, smtplib.SMTPException) as exc:
            failed += 1
            log.error("Could not send e-mail to %s: %s", mail.to, exc)
    return failed


def init_app(app: Flask) -> None:
    @app.after_request
    def _send_after_response(response: Response) -> Response:
        session = g.get("db_session")
        mails = take_ready(session) if session is not None else []
        if mails:
            response.call_on_close(lambda: deliver(app, mails))
        return response


def _build(config: Any, mail: Mail) -> EmailMessage:
    message = EmailMessage()
    message["From"] = config["MAIL_SENDER"]
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=config["MAIL_SENDER"].rpartition("@")[2] or None)
    message.set_content(mail.body)
    return message


def _send_smtp(config: Any, message: EmailMessage) -> None:
    timeout = config["MAIL_TIMEOUT"]
    host, port = config["MAIL_SERVER"], config["MAIL_PORT"]
    context = ssl.create_default_context()
    if config["MAIL_SSL"]:
        client: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
    else:
        client = smtplib.SMTP(host, port, timeout=timeout)
    with client:
        if config["MAIL_STARTTLS"] and not config["MAIL_SSL"]:
            client.starttls(context=context)
        if config["MAIL_USERNAME"]:
            client.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        client.send_message(message)
