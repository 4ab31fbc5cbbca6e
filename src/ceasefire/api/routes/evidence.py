"""Evidence API: upload files and URL references, read them (fixity checked), cite them in reports."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request, Response, UploadFile, status

from ceasefire.api.deps import ActorDep, EvidenceStoreDep, SessionDep, require
from ceasefire.evidence import service
from ceasefire.evidence.errors import FixityFailed
from ceasefire.evidence.schemas import (
    EvidenceFileCreate,
    EvidenceLinkCreate,
    EvidenceRead,
    EvidenceSummary,
    EvidenceUrlCreate,
    ReportEvidenceRead,
)
from ceasefire.identity.rules import Permission
from ceasefire.kernel.actor import Actor

router = APIRouter(tags=["evidence"])

Uploader = Annotated[Actor, Depends(require(Permission.EVIDENCE_UPLOAD))]


class EvidenceUpload(EvidenceFileCreate):
    """A multipart upload: the file itself and the fields describing it."""

    file: UploadFile


@router.post("/evidence", response_model=EvidenceRead, status_code=status.HTTP_201_CREATED)
def upload_evidence(
    request: Request,
    form: Annotated[EvidenceUpload, Form(media_type="multipart/form-data")],
    session: SessionDep,
    actor: Uploader,
    store: EvidenceStoreDep,
) -> EvidenceRead:
    """Upload an evidence file; it is typed by its bytes, stored once by SHA-256 and logged."""
    settings = request.app.state.settings
    limit: int = settings.max_evidence_bytes
    # One byte past the limit is enough to know the file is too large.
    content = form.file.file.read(limit + 1)
    evidence = service.store_file(
        session,
        content=content,
        filename=form.file.filename,
        declared_type=form.file.content_type,
        collector=form.collector,
        captured_at=form.captured_at,
        message_id=form.message_id,
        report_id=form.report_id,
        description=form.description,
        actor=actor,
        store=store,
        allowed_types=settings.evidence_types,
        max_bytes=limit,
    )
    return service.read_evidence(session, evidence_id=evidence.id, actor=actor)


@router.post("/evidence/urls", response_model=EvidenceRead, status_code=status.HTTP_201_CREATED)
def add_evidence_url(data: EvidenceUrlCreate, session: SessionDep, actor: Uploader) -> EvidenceRead:
    """Record evidence published at an http(s) URL (the page is not fetched)."""
    evidence = service.add_url(
        session,
        url=data.url,
        collector=data.collector,
        captured_at=data.captured_at,
        message_id=data.message_id,
        report_id=data.report_id,
        description=data.description,
        actor=actor,
    )
    return service.read_evidence(session, evidence_id=evidence.id, actor=actor)


@router.get("/evidence/{evidence_id}", response_model=EvidenceRead)
def read_evidence(evidence_id: str, session: SessionDep, actor: ActorDep) -> EvidenceRead:
    """An evidence item: metadata, SHA-256, last fixity check, citing reports and custody log."""
    return service.read_evidence(session, evidence_id=evidence_id, actor=actor)


def _attachment(filename: str | None, evidence_id: str) -> str:
    """A Content-Disposition that always downloads, with an ASCII fallback name."""
    name = filename or evidence_id
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\;' else "_" for c in name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


@router.get(
    "/evidence/{evidence_id}/content",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}, "description": "The file's bytes."}},
)
def read_evidence_content(
    evidence_id: str, session: SessionDep, actor: ActorDep, store: EvidenceStoreDep
) -> Response:
    """The stored bytes, re-hashed first (409 fixity_failed when they no longer match)."""
    try:
        evidence, content = service.read_file(session, evidence_id=evidence_id, actor=actor, store=store)
    except FixityFailed:
        # The failure is in the custody log and the audit trail: keep it, then answer with the error.
        session.commit()
        raise
    headers = {
        "Content-Disposition": _attachment(evidence.original_filename, evidence.id),
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "Cache-Control": "no-store",
        "ETag": f'"{evidence.sha256}"',
    }
    return Response(content=content, media_type=evidence.media_type, headers=headers)


@router.post(
    "/reports/{report_id}/evidence", response_model=ReportEvidenceRead, status_code=status.HTTP_201_CREATED
)
def link_report_evidence(
    report_id: str, data: EvidenceLinkCreate, session: SessionDep, actor: Uploader
) -> ReportEvidenceRead:
    """Cite stored evidence in a report (any version id names the report's lineage)."""
    link = service.link_to_report(
        session, evidence_id=data.evidence_id, report_lineage_id=report_id, actor=actor
    )
    return ReportEvidenceRead.model_validate(link)


@router.get("/reports/{report_id}/evidence", response_model=list[EvidenceSummary])
def list_report_evidence(report_id: str, session: SessionDep, actor: ActorDep) -> list[EvidenceSummary]:
    """The evidence a report cites."""
    found = service.list_evidence(session, report_id=report_id, actor=actor)
    return [EvidenceSummary.model_validate(e) for e in found]
