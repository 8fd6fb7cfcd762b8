"""The MLLP listener (HL7 v2 over TCP, ``hl7.mllp``): one ACK per message, written
only after ``adt_receive`` has stored the message.

Run by ``manage.py adt_listen``; ``serve`` is also what the tests start on loopback.
A message larger than ``ADT_MAX_BYTES`` cannot be framed within the reader's limit: it
is answered with AR (its rest is read and dropped) and recorded as rejected.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections
from hl7.mllp import InvalidBlockError, start_hl7_server

from .models import AckCode
from .services import adt_nudge, adt_receive, adt_reject_oversized

logger = logging.getLogger(__name__)


def _receive(raw: bytes, peer: str) -> tuple[bytes, int | None]:
    """The ACK, and the id of a newly stored message to queue once the ACK is sent."""
    close_old_connections()
    receipt = adt_receive(raw=raw, sender=f"mllp {peer}", nudge=False)
    queue = (
        receipt.message_id if receipt.ack_code == AckCode.ACCEPT and not receipt.duplicate else None
    )
    return receipt.ack.encode(), queue


def _queue(message_id: int) -> None:
    adt_nudge(message_id=message_id)


def _oversized(peer: str) -> bytes:
    close_old_connections()
    return adt_reject_oversized(sender=f"mllp {peer}").ack.encode()


async def _connection(reader, writer) -> None:
    address = writer.get_extra_info("peername") or ("?", 0)
    peer = str(address[0])
    draining = False  # the rest of an oversized message is still arriving
    try:
        while not reader.at_eof():
            try:
                block = await reader.readblock()
            except asyncio.IncompleteReadError:
                break
            except ValueError:  # over the limit: the reader dropped what it had
                if not draining:
                    writer.writeblock(await sync_to_async(_oversized)(peer))
                    await writer.drain()
                draining = True
                continue
            except InvalidBlockError:
                if not draining:
                    logger.warning("MLLP block without a start character from %s", peer)
                continue
            draining = False
            ack, stored = await sync_to_async(_receive)(block, peer)
            writer.writeblock(ack)
            await writer.drain()
            if stored is not None:  # processing is queued after the sender has its ACK
                await sync_to_async(_queue)(stored)
    except ConnectionError:
        pass
    finally:
        writer.close()


async def serve(
    host: str | None = None,
    port: int | None = None,
    *,
    ready: Callable[[int], Awaitable[None] | None] | None = None,
) -> None:
    """Listen until cancelled. ``ready(port)`` is called once the socket is bound (port 0:
    an ephemeral port, for tests)."""
    server = await start_hl7_server(
        _connection,
        host or settings.ADT_MLLP_HOST,
        settings.ADT_MLLP_PORT if port is None else port,
        limit=settings.ADT_MAX_BYTES + 1,
    )
    bound = server.sockets[0].getsockname()[1]
    logger.debug("ADT MLLP listener on %s:%s", host or settings.ADT_MLLP_HOST, bound)
    if ready is not None:
        result = ready(bound)
        if result is not None:
            await result
    async with server:
        await server.serve_forever()
