"""Reading an HL7 v2 ADT message (with the ``hl7`` library) and writing its ACK.

``check`` decides what the sender is told before anything is applied:

- **AR** (reject): not HL7 v2 text, no MSH first, field separator or encoding
  characters other than ``|^~\\&``, no control id (MSH-10), not an ADT message, a
  version other than 2.x, or over ``ADT_MAX_BYTES``;
- **AE** (application error): a segment that is not one (bad segment id), a message
  that ``hl7`` cannot parse, no PID or no PID-3, no PV1 for an event that needs it;
- **AA** otherwise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import timezone as dt_timezone
from zoneinfo import ZoneInfo

import hl7
from django.utils import timezone

ENCODING = "|^~\\&"
_DTM = re.compile(r"^(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:\.\d+)?([+-]\d{4})?$")
SEGMENT_ID = re.compile(r"^[A-Z][A-Z0-9]{2}$")
# Events we act on; other ADT events are acknowledged and kept, nothing else.
EVENTS = {"A01", "A02", "A03", "A04", "A08", "A11", "A13"}
NEEDS_PV1 = {"A01", "A02", "A03", "A04", "A11", "A13"}


@dataclass
class Header:
    """What MSH says, as far as it could be read (for the stored row and the ACK)."""

    sending_application: str = ""
    sending_facility: str = ""
    receiving_application: str = ""
    receiving_facility: str = ""
    message_type: str = ""
    event: str = ""
    control_id: str = ""
    version: str = ""
    message_at: datetime | None = None


@dataclass
class Checked:
    ack_code: str  # AA, AE, AR
    error: str
    header: Header
    message: hl7.Message | None = None
    text: str = ""


@dataclass
class PatientId:
    value: str
    issuer: str
    kind: str


@dataclass
class Adt:
    """The parts of an ADT message the intake uses."""

    event: str
    identifiers: list[PatientId]
    family_name: str
    given_name: str
    birth_date: date | None
    patient_class: str
    location: str
    visit_number: str
    admitted_at: datetime | None
    discharged_at: datetime | None
    event_at: datetime | None
    diagnoses: list[dict[str, str]] = field(default_factory=list)


def normalise(raw: bytes | str) -> str:
    """Text with segments separated by CR, as HL7 v2 says (senders also use LF or CRLF;
    blank lines are dropped)."""
    text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    text = text.replace("\r\n", "\r").replace("\n", "\r").strip("\r\x0b\x1c ")
    return "\r".join(segment for segment in text.split("\r") if segment.strip())


def parse(stored: str) -> hl7.Message:
    """A stored message (``AdtMessage.raw``, as received) parsed by ``hl7``."""
    return hl7.parse(normalise(stored))


def parse_ts(value: str, tz: ZoneInfo | None = None) -> datetime | None:
    """An HL7 DTM (YYYY[MM[DD[HH[MM[SS]]]]][+/-ZZZZ]) as an aware datetime; without an
    offset, in ``tz`` (the sender's local time; UTC when unknown)."""
    value = (value or "").strip()
    match = re.match(
        r"^(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:\.\d+)?([+-]\d{4})?$", value
    )
    if not match:
        return None
    y, mo, d, h, mi, s, off = match.groups()
    try:
        if off:
            sign = 1 if off[0] == "+" else -1
            zone: dt_timezone | ZoneInfo = dt_timezone(
                sign * timedelta(hours=int(off[1:3]), minutes=int(off[3:5]))
            )
        else:
            zone = tz or ZoneInfo("UTC")
        return datetime(
            int(y), int(mo or 1), int(d or 1), int(h or 0), int(mi or 0), int(s or 0), tzinfo=zone
        )
    except ValueError:
        return None


def _get(message: hl7.Message, key: str) -> str:
    try:
        return str(message[key]).strip()
    except (KeyError, IndexError, ValueError):
        return ""


def _header(text: str) -> Header:
    """MSH read by hand: a message whose MSH is broken is still answered and stored."""
    first = text.split("\r", 1)[0]
    header = Header()
    if not first.startswith("MSH") or len(first) < 8:
        return header
    sep = first[3]
    fields = first.split(sep)
    # fields[1] is MSH-2 (encoding characters); MSH-n is fields[n - 1].

    def f(n: int) -> str:
        return fields[n - 1].strip() if len(fields) >= n else ""

    component = first[4] if len(first) > 4 else "^"
    header.sending_application = f(3).split(component)[0][:180]
    header.sending_facility = f(4).split(component)[0][:180]
    header.receiving_application = f(5).split(component)[0][:180]
    header.receiving_facility = f(6).split(component)[0][:180]
    kind = f(9).split(component)
    header.message_type = kind[0][:3]
    header.event = (kind[1] if len(kind) > 1 else "")[:3]
    header.control_id = f(10)[:199]
    header.version = f(12).split(component)[0]
    header.message_at = parse_ts(f(7))
    return header


def check(raw: bytes | str, *, max_bytes: int) -> Checked:
    size = len(raw.encode() if isinstance(raw, str) else raw)
    try:
        text = normalise(raw)
    except UnicodeDecodeError:
        return Checked("AR", "The message is not UTF-8 text.", Header())
    header = _header(text)

    def out(ack_code: str, error: str, message: hl7.Message | None = None) -> Checked:
        return Checked(ack_code, error, header, message, text)

    if size > max_bytes:
        return out("AR", f"The message is {size} bytes; at most {max_bytes}.")
    if not text.startswith("MSH"):
        return out("AR", "The message does not start with an MSH segment.")
    if text[3:8] != ENCODING:
        return out(
            "AR",
            f"Unsupported field separator or encoding characters {text[3:8]!r} "
            f"(expected {ENCODING!r}).",
        )
    if not header.control_id:
        return out("AR", "MSH-10 (message control id) is empty.")
    if header.message_type != "ADT":
        return out(
            "AR",
            f"Message type {header.message_type or '(none)'} is not accepted.",
        )
    if not header.version.startswith("2."):
        return out("AR", f"HL7 version {header.version or '(none)'} is not 2.x.")
    for number, segment in enumerate(text.split("\r"), start=1):
        if not SEGMENT_ID.match(segment[:3]) or (len(segment) > 3 and segment[3] != "|"):
            return out("AE", f"Segment {number} is not a valid HL7 segment.")
    try:
        message = hl7.parse(text)
    except Exception as exc:  # the library's parse errors are not one class
        return out("AE", f"The message cannot be parsed ({type(exc).__name__}).")
    segment_ids = {str(s[0]) for s in message}
    if "PID" not in segment_ids:
        return out("AE", "The PID segment is missing.", message)
    if not _get(message, "PID.3.1.1"):
        return out("AE", "PID-3 (patient identifier list) is empty.", message)
    if header.event in NEEDS_PV1 and "PV1" not in segment_ids:
        return out("AE", f"An {header.event} needs a PV1 segment.", message)
    return out("AA", "", message)


def read_adt(message: hl7.Message, *, tz: ZoneInfo | None = None) -> Adt:
    pid = message.segment("PID")
    identifiers = []
    for rep in pid(3):
        try:
            value, issuer, kind = str(rep(1)).strip(), str(rep(4)).strip(), str(rep(5)).strip()
        except (IndexError, AttributeError):
            value, issuer, kind = str(rep).strip(), "", ""
        if value:
            identifiers.append(PatientId(value=value, issuer=issuer, kind=kind or "MR"))
    birth = parse_ts(_get(message, "PID.7"))
    diagnoses = []
    for dg1 in message.segments("DG1") if "DG1" in {str(s[0]) for s in message} else []:
        code = dg1(3)
        try:
            diagnoses.append(
                {"code": str(code(1)(1)), "text": str(code(1)(2)), "system": str(code(1)(3))}
            )
        except (IndexError, AttributeError):
            diagnoses.append({"code": str(code), "text": "", "system": ""})
    location = ""
    try:
        location = "^".join(str(c) for c in message.segment("PV1")(3)(1) if str(c)).strip()
    except (KeyError, IndexError, AttributeError):
        location = ""
    return Adt(
        event=_get(message, "MSH.9.1.2"),
        identifiers=identifiers,
        family_name=_get(message, "PID.5.1.1"),
        given_name=_get(message, "PID.5.1.2"),
        birth_date=birth.date() if birth else None,
        patient_class=_get(message, "PV1.2")[:5],
        location=location[:200],
        visit_number=_get(message, "PV1.19.1.1")[:100],
        admitted_at=parse_ts(_get(message, "PV1.44"), tz),
        discharged_at=parse_ts(_get(message, "PV1.45"), tz),
        event_at=parse_ts(_get(message, "EVN.2"), tz) or parse_ts(_get(message, "MSH.7"), tz),
        diagnoses=diagnoses,
    )


def _escape(text: str) -> str:
    """HL7 escape sequences for the delimiters, so an error text cannot break the ACK."""
    return (
        text.replace("\\", "\\E\\")
        .replace("|", "\\F\\")
        .replace("^", "\\S\\")
        .replace("~", "\\R\\")
        .replace("&", "\\T\\")
        .replace("\r", " ")
    )


def build_ack(header: Header, *, ack_code: str, error: str = "", ack_id: str = "") -> str:
    """An original-mode ACK (MSH, MSA, ERR when not accepted), HL7 v2.5.1."""
    now = timezone.now().strftime("%Y%m%d%H%M%S+0000")
    msh = "|".join(
        [
            "MSH",
            "^~\\&",
            "CASEMGMT",
            _escape(header.receiving_facility) or "CASEMGMT",
            _escape(header.sending_application),
            _escape(header.sending_facility),
            now,
            "",
            f"ACK^{_escape(header.event)}^ACK",
            ack_id or f"ACK{timezone.now():%Y%m%d%H%M%S%f}",
            "P",
            "2.5.1",
        ]
    )
    msa = f"MSA|{ack_code}|{_escape(header.control_id)}"
    if error:
        msa += f"|{_escape(error)[:80]}"
    segments = [msh, msa]
    if ack_code != "AA":
        # ERR-3: HL7 table 0357 (207 application internal error, 100 segment sequence,
        # 101 required field missing, 200 unsupported message type ...); ERR-4 severity.
        code = "207^Application internal error^HL70357"
        if ack_code == "AR":
            code = "200^Unsupported message type^HL70357"
        elif "missing" in error or "empty" in error:
            code = "101^Required field missing^HL70357"
        segments.append(f"ERR|||{code}|E||||{_escape(error)}")
    return "\r".join(segments) + "\r"
