"""The content-addressed store: one file per SHA-256, read-only, never overwritten."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from ceasefire.evidence.errors import StoredFileCorrupt
from ceasefire.evidence.rules import Fixity, digest
from ceasefire.evidence.store import EvidenceStore
from ceasefire.kernel.errors import Invalid
from tests.evidence_data import png, stored_files, tamper


def test_a_file_is_stored_read_only_under_its_sha256(tmp_path: Path) -> None:
    store = EvidenceStore(tmp_path / "evidence")
    content = png()
    stored = store.put(content)
    sha = digest(content)
    assert (stored.sha256, stored.size_bytes, stored.created) == (sha, len(content), True)
    path = tmp_path / "evidence" / sha[:2] / sha[2:4] / sha
    assert store.path(sha) == path
    assert path.read_bytes() == content
    assert stat.S_IMODE(path.stat().st_mode) == 0o444
    assert store.exists(sha)
    assert store.read(sha) == content
    assert store.check(sha) is Fixity.OK
    assert stored_files(tmp_path / "evidence") == [path]


def test_the_same_bytes_are_stored_once(tmp_path: Path) -> None:
    store = EvidenceStore(tmp_path)
    first = store.put(b"same bytes")
    again = store.put(b"same bytes")
    assert first.created
    assert not again.created
    assert again.sha256 == first.sha256
    assert len(stored_files(tmp_path)) == 1


def test_a_corrupt_stored_copy_is_reported_and_never_replaced(tmp_path: Path) -> None:
    store = EvidenceStore(tmp_path)
    sha = store.put(b"original").sha256
    tamper(store, sha, b"tampered")
    assert store.check(sha) is Fixity.MISMATCH
    with pytest.raises(StoredFileCorrupt) as refused:
        store.put(b"original")
    assert refused.value.details == {"sha256": sha, "fixity": "mismatch"}
    assert store.path(sha).read_bytes() == b"tampered"
    assert len(stored_files(tmp_path)) == 1


def test_a_missing_file_is_reported(tmp_path: Path) -> None:
    store = EvidenceStore(tmp_path)
    sha = store.put(b"gone soon").sha256
    store.path(sha).unlink()
    assert store.check(sha) is Fixity.MISSING
    assert not store.exists(sha)
    with pytest.raises(FileNotFoundError):
        store.read(sha)


def test_a_concurrent_writer_keeps_its_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = EvidenceStore(tmp_path)
    real_link = os.link

    def racing_link(src: str, dst: Path) -> None:
        # Another process links the same bytes first; our link must then fail, not replace theirs.
        Path(dst).write_bytes(b"same bytes")
        os.chmod(dst, 0o444)
        real_link(src, dst)

    monkeypatch.setattr(os, "link", racing_link)
    stored = store.put(b"same bytes")
    assert not stored.created
    assert len(stored_files(tmp_path)) == 1


def test_only_sha256_names_are_paths(tmp_path: Path) -> None:
    store = EvidenceStore(tmp_path)
    for bad in ("../../etc/passwd", "ABC", "a" * 63, "A" * 64):
        with pytest.raises(Invalid):
            store.path(bad)


def test_nothing_is_written_until_the_first_file(tmp_path: Path) -> None:
    EvidenceStore(tmp_path / "not-yet")
    assert not (tmp_path / "not-yet").exists()
