"""Sample evidence bytes (real magic numbers) and raw messages/reports to attach evidence to."""

from __future__ import annotations

import itertools
import struct
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from ceasefire.evidence.store import EvidenceStore
from ceasefire.identity.models import User
from ceasefire.intake.models import Message, Report, ReportWithdrawal
from ceasefire.kernel.ids import new_id

_seq = itertools.count(1)

CAPTURED = datetime(2016, 5, 3, 14, 30, tzinfo=UTC)
CAPTURED_ISO = "2016-05-03T17:30:00+03:00"
TOMORROW_ISO = (datetime.now(UTC) + timedelta(days=1)).isoformat()


def png(width: int = 1, height: int = 1, *, padding: int = 0) -> bytes:
    """A valid PNG image (grey, width x height), optionally padded with a text chunk to a size."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"".join(b"\x00" + b"\x80" * width for _ in range(height)))
    text = chunk(b"tEXt", b"Comment\x00" + b"x" * padding) if padding else b""
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + text + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def png_of_size(size: int) -> bytes:
    """A PNG of exactly `size` bytes."""
    bare = png(padding=1)
    return png(padding=1 + size - len(bare))


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 32 + b"\xff\xd9"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00\x01\x00\x00\x00" + b"\x00" * 40
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
TEXT = "Shelling in Jobar at 15:00; قصف في جوبر\n".encode()


def stored_files(root: Path) -> list[Path]:
    """Every file in an evidence store (temporary files included, to catch leftovers)."""
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def tamper(store: EvidenceStore, sha256: str, content: bytes = b"altered bytes") -> None:
    """Overwrite a stored file behind the store's back (as a disk fault or an intruder would)."""
    path = store.path(sha256)
    path.chmod(0o644)
    path.write_bytes(content)
    path.chmod(0o444)


def make_message(session: Session, *, user: User | None = None, **overrides: Any) -> Message:
    """A raw message (as the intake domain stores one), submitted by the user and their party."""
    n = next(_seq)
    values: dict[str, Any] = {
        "id": new_id(),
        "reference_code": f"EV-{n:06d}-{new_id()[:6]}",
        "channel": "api",
        "received_at": datetime(2016, 5, 3, 15, 0, tzinfo=UTC),
        "submitted_by_user_id": user.id if user else None,
        "submitter_party_id": user.party_id if user else None,
        "submitter_key": user.id if user else "public",
        "body": f"message {n}",
        "payload": {},
    }
    values.update(overrides)
    message = Message(**values)
    session.add(message)
    session.flush()
    return message


def make_report(session: Session, *, message: Message, **overrides: Any) -> Report:
    """Version 1 of a report derived from the message."""
    report_id = new_id()
    at = datetime(2016, 5, 3, 12, 0, tzinfo=UTC)
    values: dict[str, Any] = {
        "id": report_id,
        "lineage_id": report_id,
        "version": 1,
        "message_id": message.id,
        "source_party_id": message.submitter_party_id,
        "source_name": "test source",
        "stance": "asserts",
        "occurred_at": at,
        "time_precision": "day",
        "occurred_start": at - timedelta(hours=12),
        "occurred_end": at + timedelta(hours=12),
        "location_precision": "town",
        "act_category": "attack_on_medical_facility",
    }
    values.update(overrides)
    report = Report(**values)
    session.add(report)
    session.flush()
    return report


def withdraw(session: Session, report: Report) -> None:
    """Withdraw a report lineage."""
    session.add(ReportWithdrawal(lineage_id=report.lineage_id, withdrawn_at=datetime.now(UTC), reason="test"))
    session.flush()
