"""A real SMTP server on loopback for the outbox tests (aiosmtpd in a thread).

It accepts, holds a message in DATA for a while (a slow server), or answers 451 (a
server that asks to try later), and records what it accepted: each message's
Message-ID, recipients and subject. A message counts as accepted only once the server
has answered 250; a client that hangs up during the hold (a worker killed mid-send)
has sent nothing.
"""

from __future__ import annotations

import asyncio
import email
import socket
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller


@dataclass
class Accepted:
    message_id: str
    to: tuple[str, ...]
    subject: str
    body: str


@dataclass
class MailServer:
    host: str = "127.0.0.1"
    port: int = 0
    accepted: list[Accepted] = field(default_factory=list)
    attempts: Counter = field(default_factory=Counter)  # DATA commands per recipient
    # Decides per DATA command: "accept", "refuse" (451: try later), "reject" (550: never)
    # or "hold" (wait, then accept).
    rule: Callable[[str, int], str] = lambda to, attempt: "accept"
    hold_seconds: float = 30.0
    holding: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self):
        self._lock = threading.Lock()
        self._queued = 0

    # aiosmtpd handler ---------------------------------------------------------------
    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content)
        to = tuple(envelope.rcpt_tos)
        with self._lock:
            self.attempts[to[0]] += 1
            attempt = self.attempts[to[0]]
        decision = self.rule(to[0], attempt)
        if decision == "refuse":
            return "451 4.3.0 Mailbox busy, try again later"
        if decision == "reject":
            return f"550 5.1.1 <{to[0]}>: Recipient address rejected: User unknown"
        if decision == "hold":
            self.holding.set()
            await asyncio.sleep(self.hold_seconds)  # cancelled if the client hangs up
        with self._lock:
            self.accepted.append(
                Accepted(
                    message_id=message["Message-ID"] or "",
                    to=to,
                    subject=message["Subject"] or "",
                    body=message.get_payload(decode=True).decode(),
                )
            )
            self._queued += 1
            return f"250 2.0.0 Ok: queued as Q{self._queued:05d}"

    # helpers ------------------------------------------------------------------------
    def per_recipient(self) -> Counter:
        with self._lock:
            return Counter(address for a in self.accepted for address in a.to)

    def start(self) -> MailServer:
        with socket.socket() as probe:  # a free loopback port
            probe.bind((self.host, 0))
            self.port = probe.getsockname()[1]
        self._controller = Controller(self, hostname=self.host, port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()
