"""Evidence: files and URL references supporting reports, kept with a chain of custody.

Terms: an *evidence item* is one uploaded file (stored content-addressed: its name on disk is
the SHA-256 of its bytes) or one URL reference, with its capture time, collector, the message it
came with and the reports that *cite* it. Uploading the same bytes twice gives two items (each
with its own provenance) sharing one stored file. The *custody log* lists every step taken with
an item: received, stored, linked, viewed, verified, fixity_failed. *Fixity* is the match between
the stored bytes and their SHA-256; it is re-checked on every read and by `ceasefire evidence
verify`, and a stored file is never overwritten. The *sniffed* media type (from the bytes) is the
one stored and served; the *declared* one is kept beside it. An item follows the visibility of
its message and citing reports: a party representative sees its own party's, the secretariat all.
"""

from ceasefire.evidence.errors import FixityFailed, StoredFileCorrupt
from ceasefire.evidence.schemas import VerifyReport
from ceasefire.evidence.service import (
    add_url,
    custody_log,
    get_evidence,
    link_to_report,
    list_evidence,
    read_evidence,
    read_file,
    store_file,
    verify_all,
)
from ceasefire.evidence.store import EvidenceStore

__all__ = [
    "EvidenceStore",
    "FixityFailed",
    "StoredFileCorrupt",
    "VerifyReport",
    "add_url",
    "custody_log",
    "get_evidence",
    "link_to_report",
    "list_evidence",
    "read_evidence",
    "read_file",
    "store_file",
    "verify_all",
]
