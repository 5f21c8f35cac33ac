"""Sends e-mail through the configured SMTP server (settings.smtp_*). The only module that
talks SMTP; nothing here logs addresses or message text."""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage

from interview.config import Settings
from interview.errors import BackendUnavailable, InvalidInput

log = logging.getLogger(__name__)


def mail_configured(settings: Settings) -> bool:
    return bool(settings.smtp_host)


def sender(settings: Settings) -> str:
    """The From address: smtp_from, else the SMTP user when it is an address."""
    address = settings.smtp_from or (settings.smtp_user if "@" in settings.smtp_user else "")
    if not address:
        raise InvalidInput(
            "INTERVIEW_SMTP_FROM is empty: set the address invitations are sent from"
        )
    return address


def send(settings: Settings, message: EmailMessage) -> None:
    """Deliver one message; BackendUnavailable (with the server's reason) when it fails."""
    if not mail_configured(settings):
        raise InvalidInput("e-mail is not configured: set INTERVIEW_SMTP_HOST and its friends")
    host, port, timeout = settings.smtp_host, settings.smtp_port, settings.smtp_timeout_s
    try:
        smtp: smtplib.SMTP
        if settings.smtp_security == "ssl":
            smtp = smtplib.SMTP_SSL(
                host, port, timeout=timeout, context=ssl.create_default_context()
            )
        else:
            smtp = smtplib.SMTP(host, port, timeout=timeout)
        with smtp:
            if settings.smtp_security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password)
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("invitation e-mail not sent: %s", type(exc).__name__)
        raise BackendUnavailable(
            f"the SMTP server {host}:{port} did not take the e-mail: {exc}"
        ) from exc
