"""Django's SMTP backend, keeping the server's reply to each accepted message.

The reply to DATA is where an SMTP server names its queue id ("250 2.0.0 Ok: queued as
4Xy3Z"); the outbox records it as the provider's message id. Nothing else changes.
"""

from __future__ import annotations

import smtplib

from django.core.mail.backends.smtp import EmailBackend


class _ReplyRecording:
    last_data_reply: str = ""

    def data(self, msg):
        code, reply = super().data(msg)
        self.last_data_reply = reply.decode("utf-8", "replace") if code == 250 else ""
        return code, reply


class _SMTP(_ReplyRecording, smtplib.SMTP):
    pass


class _SMTP_SSL(_ReplyRecording, smtplib.SMTP_SSL):
    pass


class SMTPEmailBackend(EmailBackend):
    @property
    def connection_class(self):
        return _SMTP_SSL if self.use_ssl else _SMTP

    def _send(self, email_message):
        if self.connection is not None:
            self.connection.last_data_reply = ""
        sent = super()._send(email_message)
        if sent and self.connection is not None:
            email_message.provider_reply = self.connection.last_data_reply[:200]
        return sent
