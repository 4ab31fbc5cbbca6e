"""Errors of the evidence domain: a file that no longer matches its SHA-256."""

from __future__ import annotations

from ceasefire.kernel.errors import Conflict


class FixityFailed(Conflict):
    """A stored file is missing or its bytes no longer hash to the SHA-256 recorded for it.

    Raised after the custody event recording the failure has been flushed: the edge commits
    before it answers, so the failure stays in the custody log.
    """

    code = "fixity_failed"


class StoredFileCorrupt(Conflict):
    """A file with this SHA-256 is already in the store but its bytes do not match; it is left alone."""

    code = "stored_file_corrupt"
