"""Queue e-mails in the outbox and deliver the pending ones; queueing never commits."""

from __future__ import annotations

import smtplib
from collections.abc import Mapping
from datetime import datetime
from email.message import EmailMessage
from typing import Any

from flask import current_app
from sqlalchemy import select

from pbvote.extensions import db
from pbvote.outbox.models import OutboxMessage

MAX_ATTEMPTS = 5


def queue_email(recipient: str, subject: str, body: str, *, now: datetime) -> OutboxMessage:
    """Store an e-mail for delivery (and print it in development). Does not commit."""
    message = OutboxMessage(recipient=recipient, subject=subject, body=body, created_at=now)
    db.session.add(message)
    if current_app.config.get("MAIL_PRINT"):
        current_app.logger.warning("E-mail to %s: %s\n%s", recipient, subject, body)
    return message


def pending_messages(limit: int = 100) -> list[OutboxMessage]:
    """Unsent messages that still have attempts left, oldest first."""
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.attempts < MAX_ATTEMPTS)
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    return list(db.session.scalars(query))


def deliver_pending(config: Mapping[str, Any], *, now: datetime) -> tuple[int, int]:
    """Send pending messages by SMTP; returns (sent, failed). Does not commit."""
    sent = failed = 0
    messages = pending_messages()
    if not messages:
        return 0, 0
    with smtplib.SMTP(config["SMTP_HOST"], int(config["SMTP_PORT"]), timeout=30) as smtp:
        if config.get("SMTP_STARTTLS"):
            smtp.starttls()
        if config.get("SMTP_USER"):
            smtp.login(config["SMTP_USER"], config["SMTP_PASSWORD"] or "")
        for message in messages:
            message.attempts += 1
            try:
                smtp.send_message(_as_email(message, config["MAIL_SENDER"]))
            except smtplib.SMTPException as exc:
                message.last_error = str(exc)[:500]
                failed += 1
            else:
                message.sent_at = now
                sent += 1
    db.session.flush()
    return sent, failed


def _as_email(message: OutboxMessage, sender: str) -> EmailMessage:
    """Turn a stored message into a MIME e-mail."""
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email.set_content(message.body)
    return email
