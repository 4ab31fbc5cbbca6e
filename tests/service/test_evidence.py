"""Evidence use cases: storing once, custody, fixity on read and in bulk, visibility, citations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ceasefire.audit.models import AuditEntry
from ceasefire.evidence import service
from ceasefire.evidence.errors import FixityFailed, StoredFileCorrupt
from ceasefire.evidence.models import CustodyEvent, Evidence
from ceasefire.evidence.store import EvidenceStore
from ceasefire.identity import service as identity
from ceasefire.identity.models import User
from ceasefire.kernel.actor import SYSTEM, Actor
from ceasefire.kernel.errors import Conflict, Invalid, NotFound
from tests.evidence_data import (
    CAPTURED,
    TEXT,
    make_message,
    make_report,
    png,
    stored_files,
    tamper,
    withdraw,
)
from tests.factories import make_party, make_user

ALLOWED = ("image/png", "image/jpeg", "text/plain")


@pytest.fixture
def store(tmp_path: Path) -> EvidenceStore:
    return EvidenceStore(tmp_path / "evidence")


def _actor(user: User) -> Actor:
    return identity.actor_for(user, via="api")


def _rep(session: Session) -> User:
    party = make_party(session)
    return make_user(session, role="party_representative", party_id=party.id)


def _store(session: Session, store: EvidenceStore, actor: Actor, **overrides: Any) -> Evidence:
    values: dict[str, Any] = {
        "content": png(),
        "filename": "strike.png",
        "declared_type": "image/png",
        "collector": "field team",
        "captured_at": CAPTURED,
        "actor": actor,
        "store": store,
        "allowed_types": ALLOWED,
        "max_bytes": 1024 * 1024,
    }
    values.update(overrides)
    return service.store_file(session, **values)


def _actions(session: Session, evidence_id: str) -> list[str]:
    return [e.action for e in service.custody_log(session, evidence_id=evidence_id, actor=SYSTEM)]


def test_same_bytes_twice_are_two_items_sharing_one_stored_file(
    session: Session, store: EvidenceStore
) -> None:
    first = _store(session, store, SYSTEM, collector="team A")
    second = _store(session, store, SYSTEM, collector="team B", filename="copy.png")
    assert first.id != second.id
    assert first.sha256 == second.sha256
    assert len(stored_files(store.root)) == 1
    assert _actions(session, first.id) == ["received", "stored"]
    assert _actions(session, second.id) == ["received", "stored"]
    # Only the audit trail (secretariat-only) says the second upload found the file already there.
    reused = session.scalars(
        select(AuditEntry).where(AuditEntry.entity_id == second.id, AuditEntry.action == "evidence.store")
    ).one()
    assert reused.changes["file_already_stored"] is True
    assert "file_already_stored" not in str(
        service.read_evidence(session, evidence_id=second.id, actor=SYSTEM)
    )


def test_reading_checks_fixity_and_logs_custody_in_order(session: Session, store: EvidenceStore) -> None:
    evidence = _store(session, store, SYSTEM)
    item, content = service.read_file(session, evidence_id=evidence.id, actor=SYSTEM, store=store)
    assert content == png()
    assert item.media_type == "image/png"
    events = service.custody_log(session, evidence_id=evidence.id, actor=SYSTEM)
    assert [e.action for e in events] == ["received", "stored", "viewed"]
    assert events[-1].fixity_ok is True
    assert events[0].detail["filename"] == "strike.png"
    read = service.read_evidence(session, evidence_id=evidence.id, actor=SYSTEM)
    assert read.fixity is not None
    assert read.fixity.ok
    assert read.fixity.action == "viewed"


def test_a_tampered_file_is_caught_on_read_and_not_replaced_by_a_reupload(
    session: Session, store: EvidenceStore
) -> None:
    evidence = _store(session, store, SYSTEM)
    sha = str(evidence.sha256)
    tamper(store, sha)
    with pytest.raises(FixityFailed) as failed:
        service.read_file(session, evidence_id=evidence.id, actor=SYSTEM, store=store)
    assert failed.value.code == "fixity_failed"
    assert failed.value.details["fixity"] == "mismatch"
    last = service.custody_log(session, evidence_id=evidence.id, actor=SYSTEM)[-1]
    assert (last.action, last.fixity_ok) == ("fixity_failed", False)
    read = service.read_evidence(session, evidence_id=evidence.id, actor=SYSTEM)
    assert read.fixity is not None
    assert not read.fixity.ok
    rows_before = session.scalar(select(func.count()).select_from(Evidence))
    with pytest.raises(StoredFileCorrupt):
        _store(session, store, SYSTEM)
    assert store.path(sha).read_bytes() == b"altered bytes"
    assert session.scalar(select(func.count()).select_from(Evidence)) == rows_before


def test_a_missing_file_fails_fixity_on_read(session: Session, store: EvidenceStore) -> None:
    evidence = _store(session, store, SYSTEM)
    store.path(str(evidence.sha256)).unlink()
    with pytest.raises(FixityFailed) as failed:
        service.read_file(session, evidence_id=evidence.id, actor=SYSTEM, store=store)
    assert failed.value.details["fixity"] == "missing"


def test_verify_all_counts_and_logs_every_item(session: Session, store: EvidenceStore) -> None:
    intact = _store(session, store, SYSTEM)
    twin = _store(session, store, SYSTEM)
    altered = _store(session, store, SYSTEM, content=TEXT, declared_type="text/plain")
    gone = _store(session, store, SYSTEM, content=png(2, 2))
    tamper(store, str(altered.sha256))
    store.path(str(gone.sha256)).unlink()
    seen: list[tuple[int, int]] = []
    report = service.verify_all(
        session, store=store, actor=SYSTEM, progress=lambda done, total: seen.append((done, total))
    )
    assert (report.checked, report.ok) == (4, 2)
    assert [p.evidence_id for p in report.failed] == [altered.id]
    assert [(p.evidence_id, p.fixity) for p in report.missing] == [(gone.id, "missing")]
    assert seen[0] == (0, 4)
    assert seen[-1] == (4, 4)
    assert _actions(session, intact.id)[-1] == "verified"
    assert _actions(session, twin.id)[-1] == "verified"
    assert _actions(session, altered.id)[-1] == "fixity_failed"
    assert _actions(session, gone.id)[-1] == "fixity_failed"
    audit = session.scalars(select(AuditEntry).where(AuditEntry.action == "evidence.verify")).one()
    assert audit.changes["missing"] == [gone.id]


def test_nothing_is_recorded_when_the_database_part_fails(
    session: Session, store: EvidenceStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_audit(*_: object, **__: object) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(service, "record", broken_audit)
    savepoint = session.begin_nested()
    with pytest.raises(RuntimeError):
        _store(session, store, SYSTEM)
    savepoint.rollback()
    assert session.scalar(select(func.count()).select_from(Evidence)) == 0
    assert session.scalar(select(func.count()).select_from(CustodyEvent)) == 0
    # The bytes stay on disk under their SHA-256; a later upload reuses them.
    assert len(stored_files(store.root)) == 1
    monkeypatch.undo()
    again = _store(session, store, SYSTEM)
    assert store.path(str(again.sha256)).read_bytes() == png()


def test_bad_input_is_refused_before_anything_is_stored(session: Session, store: EvidenceStore) -> None:
    with pytest.raises(Invalid) as empty:
        _store(session, store, SYSTEM, content=b"")
    assert empty.value.code == "empty_file"
    with pytest.raises(Invalid) as wrong:
        _store(session, store, SYSTEM, content=b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56)
    assert wrong.value.code == "unsupported_type"
    with pytest.raises(Invalid) as blank:
        _store(session, store, SYSTEM, collector="   ")
    assert blank.value.field == "collector"
    with pytest.raises(NotFound) as no_message:
        _store(session, store, SYSTEM, message_id="nope")
    assert no_message.value.field == "message_id"
    assert stored_files(store.root) == []
    assert session.scalar(select(func.count()).select_from(Evidence)) == 0


def test_a_party_representative_sees_only_its_own_partys_evidence(
    session: Session, store: EvidenceStore
) -> None:
    rep_a, rep_b = _rep(session), _rep(session)
    colleague_a = make_user(session, role="party_representative", party_id=rep_a.party_id)
    mine = _store(session, store, _actor(rep_a))
    for viewer in (rep_a, colleague_a):
        assert service.get_evidence(session, evidence_id=mine.id, actor=_actor(viewer)).id == mine.id
    with pytest.raises(NotFound) as hidden:
        service.get_evidence(session, evidence_id=mine.id, actor=_actor(rep_b))
    with pytest.raises(NotFound) as absent:
        service.get_evidence(session, evidence_id="no-such-id", actor=_actor(rep_b))
    assert hidden.value.code == absent.value.code == "evidence_not_found"
    with pytest.raises(NotFound):
        service.read_file(session, evidence_id=mine.id, actor=_actor(rep_b), store=store)
    analyst = make_user(session, role="analyst")
    assert service.get_evidence(session, evidence_id=mine.id, actor=_actor(analyst)).id == mine.id
    observer = make_user(session, role="observer")
    with pytest.raises(NotFound):
        service.get_evidence(session, evidence_id=mine.id, actor=_actor(observer))


def test_evidence_follows_its_message_and_citing_reports(session: Session, store: EvidenceStore) -> None:
    rep_a, rep_b = _rep(session), _rep(session)
    message_a = make_message(session, user=rep_a)
    with_message = _store(session, store, SYSTEM, message_id=message_a.id)
    cited = _store(session, store, SYSTEM, content=png(3, 3))
    report_a = make_report(session, message=message_a)
    with pytest.raises(NotFound):
        service.get_evidence(session, evidence_id=cited.id, actor=_actor(rep_a))
    service.link_to_report(session, evidence_id=cited.id, report_lineage_id=report_a.id, actor=SYSTEM)
    for evidence in (with_message, cited):
        assert service.get_evidence(session, evidence_id=evidence.id, actor=_actor(rep_a))
        with pytest.raises(NotFound):
            service.get_evidence(session, evidence_id=evidence.id, actor=_actor(rep_b))
    listed = service.list_evidence(session, report_id=report_a.id, actor=_actor(rep_a))
    assert [e.id for e in listed] == [cited.id]
    with pytest.raises(NotFound):
        service.list_evidence(session, report_id=report_a.id, actor=_actor(rep_b))
    assert _actions(session, cited.id) == ["received", "stored", "linked"]
    read = service.read_evidence(session, evidence_id=cited.id, actor=_actor(rep_a))
    assert read.report_lineage_ids == [report_a.lineage_id]


def test_linking_needs_a_visible_current_report_and_happens_once(
    session: Session, store: EvidenceStore
) -> None:
    rep_a, rep_b = _rep(session), _rep(session)
    report_b = make_report(session, message=make_message(session, user=rep_b))
    own = _store(session, store, _actor(rep_a))
    with pytest.raises(NotFound) as other_party:
        service.link_to_report(
            session, evidence_id=own.id, report_lineage_id=report_b.id, actor=_actor(rep_a)
        )
    assert other_party.value.field == "report_id"
    with pytest.raises(NotFound) as unseen_evidence:
        service.link_to_report(
            session, evidence_id=own.id, report_lineage_id=report_b.id, actor=_actor(rep_b)
        )
    assert unseen_evidence.value.field == "evidence_id"
    report_a = make_report(session, message=make_message(session, user=rep_a))
    link = service.link_to_report(
        session, evidence_id=own.id, report_lineage_id=report_a.id, actor=_actor(rep_a)
    )
    assert link.report_lineage_id == report_a.lineage_id
    with pytest.raises(Conflict) as twice:
        service.link_to_report(
            session, evidence_id=own.id, report_lineage_id=report_a.id, actor=_actor(rep_a)
        )
    assert twice.value.code == "already_linked"
    withdraw(session, report_a)
    other = _store(session, store, _actor(rep_a), content=png(4, 4))
    with pytest.raises(Conflict) as withdrawn:
        service.link_to_report(
            session, evidence_id=other.id, report_lineage_id=report_a.id, actor=_actor(rep_a)
        )
    assert withdrawn.value.code == "report_withdrawn"


def test_a_later_version_id_names_the_lineage(session: Session, store: EvidenceStore) -> None:
    message = make_message(session)
    first = make_report(session, message=message)
    second = make_report(session, message=message, lineage_id=first.id, version=2, supersedes_id=first.id)
    evidence = _store(session, store, SYSTEM, report_id=second.id)
    assert [e.id for e in service.list_evidence(session, report_id=first.id, actor=SYSTEM)] == [evidence.id]


def test_url_references_are_recorded_with_custody(session: Session) -> None:
    evidence = service.add_url(
        session, url="https://example.org/v/1", collector="monitor", captured_at=CAPTURED, actor=SYSTEM
    )
    assert (evidence.kind, evidence.source_url, evidence.sha256) == ("url", "https://example.org/v/1", None)
    assert _actions(session, evidence.id) == ["received"]
    with pytest.raises(NotFound) as no_file:
        service.read_file(session, evidence_id=evidence.id, actor=SYSTEM, store=EvidenceStore(Path("unused")))
    assert no_file.value.code == "no_content"
    with pytest.raises(Invalid) as ftp:
        service.add_url(session, url="ftp://example.org/x", collector="m", captured_at=CAPTURED, actor=SYSTEM)
    assert ftp.value.field == "url"


def test_every_change_is_audited(session: Session, store: EvidenceStore) -> None:
    evidence = _store(session, store, SYSTEM)
    service.read_file(session, evidence_id=evidence.id, actor=SYSTEM, store=store)
    actions = session.scalars(
        select(AuditEntry.action).where(AuditEntry.entity_id == evidence.id).order_by(AuditEntry.id)
    ).all()
    assert list(actions) == ["evidence.store", "evidence.view"]
