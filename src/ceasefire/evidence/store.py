"""Content-addressed file storage: each file lives at root/ab/cd/<sha256> and is never overwritten."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ceasefire.evidence.errors import StoredFileCorrupt
from ceasefire.evidence.rules import Fixity, digest, is_sha256
from ceasefire.kernel.errors import Invalid

_CHUNK = 1024 * 1024
READ_ONLY = 0o444


@dataclass(frozen=True, slots=True)
class StoredFile:
    """A file in the store: its SHA-256, its size, and whether this put wrote it (False: reused)."""

    sha256: str
    size_bytes: int
    created: bool


class EvidenceStore:
    """Files by SHA-256 under one root directory (created on first write).

    A write goes to a temporary file in the target's directory, is fsynced, made read-only and
    then hard-linked to its final name: the link fails rather than replace an existing file, so
    a stored file is never overwritten, and a half-written file never carries a final name.
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path(self, sha256: str) -> Path:
        """Where the file with that SHA-256 lives (whether or not it is there)."""
        if not is_sha256(sha256):
            raise Invalid(f"{sha256!r} is not a lower-case hex SHA-256", code="bad_sha256", field="sha256")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        """Whether a file with that SHA-256 is stored (its bytes are not checked)."""
        return self.path(sha256).is_file()

    def read(self, sha256: str) -> bytes:
        """The stored bytes as they are now (FileNotFoundError when absent); callers check fixity."""
        return self.path(sha256).read_bytes()

    def check(self, sha256: str) -> Fixity:
        """Re-hash the stored file in chunks and say whether it still matches its name."""
        target = self.path(sha256)
        hasher = hashlib.sha256()
        try:
            with target.open("rb") as fh:
                while chunk := fh.read(_CHUNK):
                    hasher.update(chunk)
        except FileNotFoundError:
            return Fixity.MISSING
        except OSError:
            return Fixity.UNREADABLE
        return Fixity.OK if hasher.hexdigest() == sha256 else Fixity.MISMATCH

    def put(self, content: bytes) -> StoredFile:
        """Store the bytes under their SHA-256, or reuse the stored copy after checking it."""
        sha256 = digest(content)
        target = self.path(sha256)
        if target.exists():
            return self._reuse(sha256, len(content))
        created_dirs = _make_dirs(target.parent)
        fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(content)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(temporary, READ_ONLY)
            try:
                os.link(temporary, target)
            except FileExistsError:
                # Another writer stored the same bytes first: theirs stays, after a check.
                return self._reuse(sha256, len(content))
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
        for directory in {target.parent, *(d.parent for d in created_dirs)}:
            _fsync_dir(directory)
        return StoredFile(sha256, len(content), created=True)

    def _reuse(self, sha256: str, size: int) -> StoredFile:
        """The already stored copy, if its bytes still hash to its name; refuse (and keep it) if not."""
        state = self.check(sha256)
        if state is not Fixity.OK:
            raise StoredFileCorrupt(
                f"the stored copy of file {sha256} is {state.value}; it was not replaced. "
                "Run `ceasefire evidence verify` and restore it from a backup",
                field="file",
                details={"sha256": sha256, "fixity": state.value},
            )
        return StoredFile(sha256, size, created=False)


def _make_dirs(directory: Path) -> list[Path]:
    """Create a directory and its missing parents; return those created, outermost first."""
    missing: list[Path] = []
    current = directory
    while not current.exists():
        missing.append(current)
        current = current.parent
    directory.mkdir(parents=True, exist_ok=True)
    return list(reversed(missing))


def _fsync_dir(directory: Path) -> None:
    """Make a directory's new entries durable (a no-op where directories cannot be opened)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
