"""Text messages through a pluggable backend, like Django's email backends.

`settings.SMS_BACKEND` names the class (dotted path). Shipped:

- `dryneedling.scheduling.sms.ConsoleBackend` (default): writes each message to stdout.
- `dryneedling.scheduling.sms.FileBackend`: appends to a file under `settings.SMS_FILE_PATH`.
- `dryneedling.scheduling.sms.LocmemBackend`: keeps messages in `sms.outbox` (the test suite's).
- `dryneedling.scheduling.sms.TwilioBackend`: a real provider over HTTPS (Twilio's Messages API),
  configured with `SMS_TWILIO_ACCOUNT_SID`, `SMS_TWILIO_AUTH_TOKEN` and `SMS_FROM`.

Another provider is a subclass of `BaseSmsBackend` with `send_messages`; name it in SMS_BACKEND.
"""

from __future__ import annotations

import base64
import json
import sys
import threading
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class SmsMessage:
    to: str
    body: str


class BaseSmsBackend:
    def __init__(self, **options: Any) -> None:
        self.options = options

    def send_messages(self, messages: list[SmsMessage]) -> int:  # pragma: no cover - interface
        raise NotImplementedError


class ConsoleBackend(BaseSmsBackend):
    stream: TextIO | None = None

    def send_messages(self, messages: list[SmsMessage]) -> int:
        stream = self.stream or sys.stdout
        for message in messages:
            stream.write(f"SMS to {message.to}\n{message.body}\n{'-' * 79}\n")
        stream.flush()
        return len(messages)


class FileBackend(BaseSmsBackend):
    """One file per process run and day, like Django's file-based email backend."""

    _lock = threading.Lock()

    def send_messages(self, messages: list[SmsMessage]) -> int:
        folder = Path(getattr(settings, "SMS_FILE_PATH", "sms"))
        folder.mkdir(parents=True, exist_ok=True)
        name = folder / f"{datetime.now(UTC):%Y%m%d}-{id(self)}.log"
        with self._lock, name.open("a", encoding="utf-8") as out:
            for message in messages:
                out.write(f"To: {message.to}\n\n{message.body}\n{'-' * 79}\n")
        return len(messages)


outbox: list[SmsMessage] = []


class LocmemBackend(BaseSmsBackend):
    def send_messages(self, messages: list[SmsMessage]) -> int:
        outbox.extend(messages)
        return len(messages)


class TwilioBackend(BaseSmsBackend):
    """Twilio's Messages API (POST form, basic auth). Any failure raises, so the job's claim rolls
    back and the reminder is tried again on the next run."""

    url = "https://api.twilio.com/2010-04-01/Accounts/{sid}/Messages.json"

    def send_messages(self, messages: list[SmsMessage]) -> int:
        sid, token = settings.SMS_TWILIO_ACCOUNT_SID, settings.SMS_TWILIO_AUTH_TOKEN
        auth = base64.b64encode(f"{sid}:{token}".encode()).decode()
        for message in messages:
            data = urllib.parse.urlencode({"To": message.to, "From": settings.SMS_FROM, "Body": message.body})
            request = urllib.request.Request(  # noqa: S310 - a fixed https URL
                self.url.format(sid=urllib.parse.quote(sid)),
                data=data.encode(),
                headers={"Authorization": f"Basic {auth}", "Content-Type": "application/x-www-form-urlencoded"},
                method="POST",
            )
            with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310
                if response.status >= 300:
                    raise RuntimeError(f"SMS provider answered {response.status}")
                json.loads(response.read() or b"{}")
        return len(messages)


def get_backend() -> BaseSmsBackend:
    backend: type[BaseSmsBackend] = import_string(settings.SMS_BACKEND)
    return backend()


def send_sms(*, to: str, body: str) -> int:
    return get_backend().send_messages([SmsMessage(to=to, body=body)])
