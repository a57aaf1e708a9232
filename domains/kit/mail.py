"""E-mail out: one message per recipient over SMTP (STARTTLS and login when configured).
Sent after the transaction that caused it has committed (``unit_of_work.mail_after_commit``);
a mail server that is down costs a log line, never the request."""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

from core.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str
    link: str = ""  # a path on this service; the mail carries it as a full address


class Mailer:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def send(self, mails: list[Mail]) -> int:
        """Send what can be sent; returns how many went."""
        s = self.settings
        if not mails or not s.smtp_host:
            return 0
        sent = 0
        try:
            with smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=10) as smtp:
                if s.smtp_starttls:
                    smtp.starttls()
                if s.smtp_username and s.smtp_password:
                    smtp.login(s.smtp_username, s.smtp_password.get_secret_value())
                for mail in mails:
                    msg = EmailMessage()
                    msg["From"] = s.mail_from
                    msg["To"] = mail.to
                    msg["Subject"] = mail.subject
                    link = f"\n\n{s.public_url.rstrip('/')}{mail.link}" if mail.link else ""
                    msg.set_content(f"{mail.body}{link}\n")
                    smtp.send_message(msg)
                    sent += 1
        except (OSError, smtplib.SMTPException) as exc:
            log.warning("e-mail not sent (%d of %d went): %s", sent, len(mails), exc)
        return sent
