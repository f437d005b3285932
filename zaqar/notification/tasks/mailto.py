"""E-mail delivery (``mailto:``): one e-mail per notification.

Recipients are the addresses of the URI (``mailto:a@x.org,b@y.org``).
A notification's e-mail has the notification document as JSON for body,
``Subject`` = the URI's ``subject`` parameter or ``options.subject``, and
``From`` = ``options.from`` (else the confirmation template's sender).
Confirmation requests carry their own subject, body and sender.

``[notification] smtp_mode`` chooses how mail leaves: ``third_part``
pipes it into ``smtp_command`` (sendmail style: exit 0 is success, 75
means try again later), ``self_local`` talks SMTP to
``smtp_host:smtp_port`` (STARTTLS with ``smtp_use_tls``, login with
``smtp_user_name``/``smtp_user_password``). Temporary failures (4xx
replies, connection problems, timeouts) are retried by the policy;
permanent ones (5xx replies) end the delivery.
"""

from __future__ import annotations

import email.message
import email.utils
import json
import shlex
import smtplib
import ssl
import subprocess
import typing
from urllib import parse

from zaqar.notification import options as notification_options
from zaqar.notification.tasks import DeliveryFailed

EX_TEMPFAIL = 75


def recipients(subscriber: str) -> list[str]:
    parts = parse.urlsplit(subscriber)
    found = [parse.unquote(item).strip()
             for item in parts.path.split(",")]
    found += [item.strip() for value in
              parse.parse_qs(parts.query).get("to", [])
              for item in value.split(",")]
    return [address for address in found if "@" in address]


def subject_of(subscriber: str, options: dict) -> str:
    values = parse.parse_qs(parse.urlsplit(subscriber).query).get("subject")
    if values:
        return values[0]
    subject = options.get("subject")
    return subject if isinstance(subject, str) else ""


def compose(job: dict, default_sender: str) -> email.message.EmailMessage:
    """The e-mail of a job (notification or confirmation)."""
    subscriber = job["subscriber"]
    options = job.get("options") or {}
    to = recipients(subscriber)
    if not to:
        raise DeliveryFailed(f"{subscriber!r} names no e-mail address",
                             retry=False)
    prepared = job.get("email")
    if prepared:
        sender, subject = prepared["sender"], prepared["subject"]
        text = prepared["body"]
    else:
        sender = options.get("from")
        if not isinstance(sender, str) or not sender:
            sender = default_sender
        subject = subject_of(subscriber, options)
        text = json.dumps(job["document"])
    message = email.message.EmailMessage()
    try:
        message["From"] = sender
        message["To"] = ", ".join(to)
        message["Subject"] = subject
        message["Date"] = email.utils.formatdate(usegmt=True)
        message["Message-ID"] = email.utils.make_msgid(domain="zaqar")
    except ValueError as exc:  # e.g. a newline in a header value
        raise DeliveryFailed(f"bad e-mail header: {exc}",
                             retry=False) from None
    message.set_content(text)
    return message


def _smtp_failure(exc: smtplib.SMTPException) -> DeliveryFailed:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        permanent = bool(codes) and all(code >= 500 for code in codes)
        return DeliveryFailed(f"recipients refused: {exc.recipients}",
                              retry=not permanent)
    code = getattr(exc, "smtp_code", None)
    if isinstance(code, int) and code >= 500:
        return DeliveryFailed(f"SMTP server refused: {exc}", retry=False)
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return DeliveryFailed(f"SMTP server cannot: {exc}", retry=False)
    return DeliveryFailed(f"SMTP failed: {exc}", retry=True)


class MailtoTask:
    """``zaqar.notification.tasks`` plugin ``mailto``."""

    def __init__(self, conf: typing.Any):
        self._conf = conf.notification
        template = self._conf.subscription_confirmation_email_template
        self._sender = (template or {}).get(
            "sender") or notification_options.SENDER

    def deliver(self, job: dict) -> None:
        message = compose(job, self._sender)
        if self._conf.smtp_mode == "self_local":
            self._send_smtp(message)
        else:
            self._send_command(message)

    def _send_command(self, message: email.message.EmailMessage) -> None:
        command = shlex.split(self._conf.smtp_command or "")
        if not command:
            raise DeliveryFailed("smtp_command is empty", retry=False)
        try:
            result = subprocess.run(command, input=message.as_bytes(),
                                    capture_output=True,
                                    timeout=self._conf.delivery_timeout)
        except subprocess.TimeoutExpired:
            raise DeliveryFailed(f"{command[0]} timed out",
                                 retry=True) from None
        except OSError as exc:
            raise DeliveryFailed(f"{command[0]} could not run: {exc}",
                                 retry=True) from None
        if result.returncode != 0:
            detail = result.stderr.decode("utf-8", "replace").strip()
            raise DeliveryFailed(
                f"{command[0]} exited with {result.returncode}: {detail}",
                retry=result.returncode == EX_TEMPFAIL)

    def _send_smtp(self, message: email.message.EmailMessage) -> None:
        conf = self._conf
        if not conf.smtp_host:
            raise DeliveryFailed("[notification] smtp_host is not set",
                                 retry=False)
        envelope_from = email.utils.parseaddr(message["From"])[1]
        to = [address for _, address in
              email.utils.getaddresses([message["To"]])]
        try:
            with smtplib.SMTP(conf.smtp_host, conf.smtp_port,
                              timeout=conf.delivery_timeout) as smtp:
                if conf.smtp_use_tls:
                    smtp.starttls(context=ssl.create_default_context())
                if conf.smtp_user_name:
                    smtp.login(conf.smtp_user_name,
                               conf.smtp_user_password or "")
                smtp.send_message(message, from_addr=envelope_from,
                                  to_addrs=to)
        except smtplib.SMTPException as exc:
            raise _smtp_failure(exc) from None
        except OSError as exc:
            raise DeliveryFailed(f"SMTP server unreachable: {exc}",
                                 retry=True) from None
