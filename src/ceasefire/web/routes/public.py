"""Public pages (no account): how to report, the report form, receipts, and published incidents.

The pages are for a frightened witness on a cheap phone: they work without JavaScript (plain
multipart posts; static/js/report.js only adds an upload progress bar), in English, Arabic and
Russian. They call the same services as the public API routes, with the same rules: a report and
its files are stored in one transaction or not at all; a filled honeypot is refused (400) and
nothing is stored; submissions are rate limited ("public_report"), look-ups and additions by
reference code too ("receipt"), so that codes cannot be guessed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any

from babel.dates import format_date, format_time
from babel.numbers import format_decimal
from fastapi import APIRouter, Depends, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from ceasefire.api.deps import EvidenceStoreDep, SessionDep
from ceasefire.api.pagination import page_params
from ceasefire.api.ratelimit import rate_limit
from ceasefire.evidence import rules as evidence_rules
from ceasefire.evidence import service as evidence
from ceasefire.evidence.store import EvidenceStore
from ceasefire.incidents import service as incidents
from ceasefire.intake import rules as intake_rules
from ceasefire.intake import service as intake
from ceasefire.intake.models import Message, Report
from ceasefire.intake.schemas import (
    EARLIEST_YEAR,
    LATEST_YEAR,
    AdditionCreate,
    PublicReportSubmission,
    ReportSubmission,
)
from ceasefire.kernel.actor import Actor
from ceasefire.kernel.claims import Channel, EventType, Grade, Stage
from ceasefire.kernel.errors import DomainError, NotFound
from ceasefire.kernel.paging import PageRequest
from ceasefire.kernel.time import DAMASCUS, TimePrecision, zone
from ceasefire.kernel.vocab import ActCategory, LocationPrecision
from ceasefire.web.auth import MaybeWebActor
from ceasefire.web.i18n import translations
from ceasefire.web.security import CsrfChecked
from ceasefire.web.templating import LOCAL_ZONE, render, request_language

router = APIRouter(include_in_schema=False)

# Files one report (or one addition) may carry; each within the setting max_evidence_bytes.
MAX_FILES = 5
HONEYPOT = "website"
# What a report page's form accepts, as the file picker's hint (the server sniffs the bytes).
ACCEPT = "image/*,video/*,audio/*,application/pdf,text/plain"
NO_STORE = {"Cache-Control": "no-store"}
REFUSED_TYPE = (
    "“%(name)s” is not a kind of file we accept. Send photos, videos, sound recordings, PDF or text files."
)
REPORT_SCHEMA = "/api/v1/openapi.json#/components/schemas/PublicReportSubmission"

# Plain words for the vocabularies a witness chooses from or reads (translated in the catalogues).
ACT_LABELS: dict[str, str] = {
    ActCategory.AIR_STRIKE: "Air strike (aircraft or drone)",
    ActCategory.SHELLING: "Shelling (artillery or mortars)",
    ActCategory.ROCKET_FIRE: "Rockets or missiles",
    ActCategory.ARMED_ATTACK: "Armed attack or gunfire",
    ActCategory.SNIPER_FIRE: "Sniper fire",
    ActCategory.GROUND_OFFENSIVE: "Ground attack or advance",
    ActCategory.TERRITORIAL_SEIZURE: "Taking control of an area",
    ActCategory.ATTACK_ON_CIVILIANS: "Attack on civilians",
    ActCategory.ATTACK_ON_MEDICAL_FACILITY: "Attack on a hospital or clinic",
    ActCategory.ATTACK_ON_HUMANITARIAN_CONVOY: "Attack on an aid convoy or aid workers",
    ActCategory.SUICIDE_BOMBING: "Suicide bombing",
    ActCategory.IED: "Bomb, mine or roadside explosive",
    ActCategory.CHEMICAL_WEAPON: "Chemical weapon (gas)",
    ActCategory.ABDUCTION: "Kidnapping or disappearance",
    ActCategory.OBSTRUCTION_OF_AID: "Blocking aid, food or medicine",
    ActCategory.SIEGE: "Siege (people cannot get in or out)",
    ActCategory.OTHER: "Something else",
}
EVENT_LABELS: dict[str, str] = {
    EventType.BATTLES: "Fighting between armed groups",
    EventType.EXPLOSIONS_REMOTE_VIOLENCE: "Explosions, shelling or strikes from a distance",
    EventType.VIOLENCE_AGAINST_CIVILIANS: "Violence against civilians",
    EventType.STRATEGIC_DEVELOPMENTS: "Arrests, looting, troop movements or other events",
    EventType.PROTESTS: "Protest",
    EventType.RIOTS: "Riot or mob violence",
}
PRECISION_LABELS: dict[str, str] = {
    TimePrecision.DAY: "I am sure of the day",
    TimePrecision.WEEK: "I only know the week",
    TimePrecision.MONTH: "I only know the month",
}
PLACE_LABELS: dict[str, str] = {
    LocationPrecision.EXACT_POINT: "The exact spot",
    LocationPrecision.TOWN: "The town or village",
    LocationPrecision.DISTRICT: "Only the district",
    LocationPrecision.GOVERNORATE: "Only the governorate",
    LocationPrecision.UNKNOWN: "I am not sure",
}
GRADE_LABELS: dict[str, str] = {
    Grade.UNVERIFIED: "Unverified",
    Grade.SINGLE_SOURCE: "Single source",
    Grade.CORROBORATED: "Corroborated",
    Grade.CONFIRMED: "Confirmed",
    Grade.CONTESTED: "Contested",
    Grade.DISCOUNTED: "Discounted",
}
GRADE_HINTS: dict[str, str] = {
    Grade.UNVERIFIED: "Not yet checked.",
    Grade.SINGLE_SOURCE: "Reported by one source only.",
    Grade.CORROBORATED: "Reported by two or more independent sources.",
    Grade.CONFIRMED: (
        "Acknowledged by the party responsible, seen by a monitor, or shown by verified evidence."
    ),
    Grade.CONTESTED: "Sources disagree, or a denial stands against the evidence.",
    Grade.DISCOUNTED: "Examined and found not credible.",
}
STAGE_LABELS: dict[str, str] = {
    Stage.NEW: "New",
    Stage.TRIAGE: "Being sorted",
    Stage.VERIFICATION: "Being verified",
    Stage.DETERMINATION: "Being decided",
    Stage.LIAISON: "Raised with the parties",
    Stage.CLOSED: "Closed",
    Stage.MERGED: "Merged",
    Stage.DISMISSED: "Dismissed",
}
STANCE_LABELS: dict[str, str] = {
    "asserts": "says it happened",
    "denies": "denies it",
    "counter_accuses": "accuses the other side",
    "confirms": "confirms it",
}
RECEIPT_LABELS: dict[str, tuple[str, str]] = {
    "received": ("Received", "Your report has arrived and is waiting to be examined by the monitors."),
    "grouped": (
        "Being examined",
        "The monitors have grouped your report with other reports about the same event.",
    ),
    "published": ("Published", "The incident your report is part of has been made public."),
    "withdrawn": ("Withdrawn", "This report was withdrawn. It is kept, but no longer examined."),
}

# The form's fields, in the order the page shows them (and the API field each one feeds).
TEXT_FIELDS = (
    "occurred_date",
    "occurred_time",
    "time_precision",
    "location_text",
    "location_precision",
    "act_category",
    "event_type",
    "perpetrator_text",
    "target_text",
    "killed_min",
    "killed_max",
    "injured_min",
    "injured_max",
    "women_killed_min",
    "children_killed_min",
    "narrative",
    "submitter_name",
    "contact",
)
FIGURES = (
    "killed_min",
    "killed_max",
    "injured_min",
    "injured_max",
    "women_killed_min",
    "children_killed_min",
)
# Where an error of an API field is shown on the form.
FIELD_OF = {
    "occurred_at": "occurred_date",
    "time_precision": "time_precision",
    "timezone": "occurred_date",
    "place_id": "location_text",
    "latitude": "location_text",
    "longitude": "location_text",
    "killed_max": "killed_max",
    "women_killed_max": "women_killed_min",
    "children_killed_max": "children_killed_min",
    "sub_event_type": "event_type",
    "body": "narrative",
    "file": "files",
    "evidence_ids": "files",
}


def upload_limits(settings: Any, overhead: int) -> dict[str, int]:
    """Request body limits of the pages that take files: MAX_FILES files of the largest size, and text."""
    most = settings.max_body_bytes + MAX_FILES * (settings.max_evidence_bytes + overhead)
    return {"/report": most, "/receipt": most}


class ReportForm(BaseModel):
    """The report form as posted: every field as typed (checked by the page, not by FastAPI)."""

    occurred_date: str = ""
    occurred_time: str = ""
    time_precision: str = ""
    location_text: str = ""
    location_precision: str = ""
    act_category: str = ""
    event_type: str = ""
    perpetrator_text: str = ""
    target_text: str = ""
    killed_min: str = ""
    killed_max: str = ""
    injured_min: str = ""
    injured_max: str = ""
    women_killed_min: str = ""
    children_killed_min: str = ""
    narrative: str = ""
    submitter_name: str = ""
    contact: str = ""
    website: str = ""  # the honeypot: hidden from people, filled in by robots
    files: list[UploadFile] = []


class AdditionForm(BaseModel):
    """The add-information form as posted."""

    body: str = ""
    website: str = ""
    files: list[UploadFile] = []


@dataclass
class Upload:
    """A file read from the form, before anything is stored."""

    name: str | None
    declared: str | None
    content: bytes


@dataclass
class Problems:
    """Messages to show next to the form's fields (already translated)."""

    gettext: Callable[[str], str]
    by_field: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, message: str) -> None:
        self.by_field.setdefault(name, message)

    def __bool__(self) -> bool:
        return bool(self.by_field)


def _gettext(request: Request) -> Callable[[str], str]:
    return translations(request_language(request)).gettext


# ---------------------------------------------------------------------------------------------------
# Dates, numbers, files


def _window_text(start: datetime | None, end: datetime | None, lang: str) -> str:
    """A window as a reader says it, in Damascus time: a moment, a day, or a span of days."""
    if start is None:
        return ""
    if end is None or end <= start:
        moment = start.astimezone(LOCAL_ZONE)
        day = format_date(moment.date(), format="long", locale=lang)
        return f"{day}, {format_time(moment, format='short', locale=lang)}"
    first = start.astimezone(LOCAL_ZONE).date()
    last = (end - timedelta(microseconds=1)).astimezone(LOCAL_ZONE).date()
    if first == last:
        return format_date(first, format="long", locale=lang)
    since, until = (format_date(day, format="medium", locale=lang) for day in (first, last))
    return f"{since} – {until}"


def _range_text(low: int | None, high: int | None) -> str:
    if low is None:
        return ""
    return str(low) if high is None or high == low else f"{low}–{high}"


def _figure(raw: str, name: str, problems: Problems) -> int | None:
    text = raw.strip()
    if not text:
        return None
    try:
        value = int(text)  # also reads Arabic-Indic digits
    except ValueError:
        problems.add(name, problems.gettext("Write a whole number, such as 0, 3 or 12."))
        return None
    if value < 0 or value > 1_000_000:
        problems.add(name, problems.gettext("Write a whole number, such as 0, 3 or 12."))
        return None
    return value


def _occurred(form: ReportForm, problems: Problems) -> tuple[datetime | None, TimePrecision]:
    """When, from the date, the optional time and how sure the witness is (Damascus time)."""
    gettext = problems.gettext
    try:
        precision = TimePrecision(form.time_precision or TimePrecision.DAY)
    except ValueError:
        problems.add("time_precision", gettext("Choose one of the options."))
        precision = TimePrecision.DAY
    if not form.occurred_date.strip():
        problems.add("occurred_date", gettext("Give the date it happened (or your best guess)."))
        return None, precision
    try:
        day = date.fromisoformat(form.occurred_date.strip())
    except ValueError:
        problems.add("occurred_date", gettext("Write the date as year-month-day, for example 2016-03-05."))
        return None, precision
    at = time(0, 0)
    if form.occurred_time.strip():
        try:
            at = time.fromisoformat(form.occurred_time.strip())
        except ValueError:
            problems.add("occurred_time", gettext("Write the time as hours:minutes, for example 14:30."))
            return None, precision
        if precision is TimePrecision.DAY:
            precision = TimePrecision.EXACT
    if not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
        problems.add("occurred_date", gettext("Check the year."))
        return None, precision
    return datetime.combine(day, at, tzinfo=zone(DAMASCUS)), precision


def _read_files(files: list[UploadFile], settings: Any, problems: Problems, *, lang: str) -> list[Upload]:
    """The files chosen (empty pickers dropped), each checked as the evidence service checks it."""
    chosen = [f for f in files if f.filename or (f.size or 0) > 0]
    gettext = problems.gettext
    if len(chosen) > MAX_FILES:
        problems.add("files", gettext("Send at most %(count)s files at a time.") % {"count": MAX_FILES})
        return []
    limit: int = settings.max_evidence_bytes
    uploads = []
    for upload in chosen:
        content = upload.file.read(limit + 1)
        name = upload.filename or ""
        try:
            evidence_rules.check_size(len(content), max_bytes=limit)
            evidence_rules.check_type(content, declared=upload.content_type, allowed=settings.evidence_types)
        except DomainError as exc:
            problems.add("files", _file_problem(exc, name, limit, gettext, lang))
            continue
        uploads.append(Upload(upload.filename, upload.content_type, content))
    return uploads


def _file_problem(exc: DomainError, name: str, limit: int, gettext: Callable[[str], str], lang: str) -> str:
    if exc.code == "too_large":
        size = format_size(limit, lang)
        return gettext("“%(name)s” is too large: each file may be at most %(size)s.") % {
            "name": name,
            "size": size,
        }
    if exc.code == "empty_file":
        return gettext("“%(name)s” is empty.") % {"name": name}
    return gettext(REFUSED_TYPE) % {"name": name}


def format_size(size: int, lang: str) -> str:
    """A byte count as people say it, in megabytes, in the page's language."""
    megabytes = size / (1024 * 1024)
    shown = format_decimal(round(megabytes, 1) if megabytes < 10 else round(megabytes), locale=lang)
    return translations(lang).gettext("%(size)s MB") % {"size": shown}


def _domain_problem(exc: DomainError, gettext: Callable[[str], str]) -> str:
    """A domain refusal in words a witness understands."""
    known = {
        "in_future": gettext("This date and time are in the future."),
        "after_receipt": gettext("This date and time are in the future."),
        "range_reversed": gettext("The second number may not be smaller than the first."),
        "range_without_min": gettext("Give the smallest number first."),
        "part_exceeds_total": gettext("Women and children killed cannot be more than all the people killed."),
        "location_missing": gettext("Say where it happened."),
        "empty_addition": gettext("Write what you want to add, or attach a file."),
        "invalid_sub_event": gettext("Choose one of the options."),
    }
    return known.get(exc.code, gettext("Check this field."))


def _validation_problem(error: Mapping[str, Any], gettext: Callable[[str], str]) -> str:
    kind = str(error.get("type", ""))
    if kind == "missing":
        return gettext("Please fill this in.")
    if kind == "string_too_long":
        limit = (error.get("ctx") or {}).get("max_length", "")
        return gettext("This is too long (at most %(count)s characters).") % {"count": limit}
    if kind in ("enum", "literal_error"):
        return gettext("Choose one of the options.")
    return gettext("Check this field.")


# ---------------------------------------------------------------------------------------------------
# Home


@router.get("/")
def home_page(request: Request, actor: MaybeWebActor) -> Response:
    """How to report a violation: every channel, the form, following a report by its reference code."""
    channels = request.app.state.settings.report_channels
    return render(request, "public/home.html", {"channels": channels})


# ---------------------------------------------------------------------------------------------------
# The report form


def _form_context(
    request: Request,
    values: Mapping[str, str],
    problems: Problems | None = None,
    *,
    had_files: bool = False,
) -> dict[str, Any]:
    settings = request.app.state.settings
    lang = request_language(request)
    return {
        "values": {name: values.get(name, "") for name in TEXT_FIELDS},
        "errors": problems.by_field if problems else {},
        "had_files": had_files,
        "acts": ACT_LABELS,
        "events": EVENT_LABELS,
        "precisions": PRECISION_LABELS,
        "places": PLACE_LABELS,
        "max_files": MAX_FILES,
        "max_size": format_size(settings.max_evidence_bytes, lang),
        "max_bytes": settings.max_evidence_bytes,
        "accept": ACCEPT,
        "today": datetime.now(LOCAL_ZONE).date().isoformat(),
    }


@router.get("/report")
def report_page(request: Request, actor: MaybeWebActor) -> Response:
    """The public report form (no account needed)."""
    return render(
        request, "public/report.html", _form_context(request, {}), alternate=REPORT_SCHEMA, headers=NO_STORE
    )


def _submission(form: ReportForm, lang: str, problems: Problems) -> PublicReportSubmission | None:
    """The API's submission from the form, or None with the problems noted next to the fields."""
    occurred_at, precision = _occurred(form, problems)
    figures = {name: _figure(getattr(form, name), name, problems) for name in FIGURES}
    if not form.narrative.strip():
        problems.add("narrative", problems.gettext("Tell us what happened, in your own words."))
    if not form.act_category:
        problems.add("act_category", problems.gettext("Choose what happened (or “Something else”)."))
    data: dict[str, Any] = {
        "occurred_at": occurred_at,
        "time_precision": precision,
        "timezone": DAMASCUS,
        "location_text": form.location_text.strip() or None,
        "location_precision": form.location_precision or None,
        "act_category": form.act_category or None,
        "event_type": form.event_type or None,
        "perpetrator_text": form.perpetrator_text.strip() or None,
        "target_text": form.target_text.strip() or None,
        "narrative": form.narrative.strip() or None,
        "submitter_name": form.submitter_name.strip() or None,
        "contact": form.contact.strip() or None,
        "language": lang,
        **{name: value for name, value in figures.items() if value is not None},
    }
    if not data["location_text"]:
        problems.add("location_text", problems.gettext("Say where it happened."))
    if problems:
        return None
    try:
        return PublicReportSubmission.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            name = str(error["loc"][0]) if error.get("loc") else "narrative"
            problems.add(FIELD_OF.get(name, name), _validation_problem(error, problems.gettext))
        return None


def _store_files(
    session: Session,
    uploads: list[Upload],
    *,
    message: Message,
    report: Report | None,
    actor: Actor,
    store: EvidenceStore,
    settings: Any,
) -> None:
    for upload in uploads:
        evidence.store_submitted_file(
            session,
            content=upload.content,
            filename=upload.name,
            declared_type=upload.declared,
            message=message,
            report=report,
            actor=actor,
            store=store,
            allowed_types=settings.evidence_types,
            max_bytes=settings.max_evidence_bytes,
        )


def _honeypot_refused(request: Request) -> Response:
    gettext = _gettext(request)
    message = gettext("Your report could not be sent. Reload the page and try again.")
    return render(request, "error.html", {"status": 400, "message": message}, status_code=400)


@router.post("/report")
def submit_report_page(
    request: Request,
    session: SessionDep,
    actor: MaybeWebActor,
    store: EvidenceStoreDep,
    _: CsrfChecked,
    form: Annotated[ReportForm, Form(media_type="multipart/form-data")],
) -> Response:
    """Store the report (message, report and files in one transaction) and show its reference code."""
    rate_limit(request, "public_report")
    if form.website:
        return _honeypot_refused(request)
    settings = request.app.state.settings
    lang = request_language(request)
    problems = Problems(_gettext(request))
    values = form.model_dump(include=set(TEXT_FIELDS))
    data = _submission(form, lang, problems)
    uploads = _read_files(form.files, settings, problems, lang=lang)
    had_files = any(f.filename for f in form.files)
    if data is None or problems:
        return _form_again(request, values, problems, had_files=had_files)
    submission = ReportSubmission.model_validate(
        {**data.model_dump(exclude_unset=True), "channel": Channel.WEB_FORM}
    )
    try:
        with session.begin_nested():
            accepted = intake.accept_report(
                session, data=submission, actor=actor, cipher=request.app.state.cipher
            )
            report = accepted.item
            message = session.get(Message, report.message_id)
            assert message is not None, "a report always has its message"
            _store_files(
                session, uploads, message=message, report=report, actor=actor, store=store, settings=settings
            )
    except DomainError as exc:
        if exc.field is None or exc.kind.value in ("conflict", "forbidden"):
            raise
        problems.add(FIELD_OF.get(exc.field, exc.field), _domain_problem(exc, problems.gettext))
        return _form_again(request, values, problems, had_files=had_files)
    return RedirectResponse(f"/report/sent/{message.reference_code}", status_code=303)


def _form_again(
    request: Request, values: Mapping[str, str], problems: Problems, *, had_files: bool
) -> Response:
    context = _form_context(request, values, problems, had_files=had_files)
    return render(
        request, "public/report.html", context, status_code=422, alternate=REPORT_SCHEMA, headers=NO_STORE
    )


# ---------------------------------------------------------------------------------------------------
# Receipts and additions


def _receipt_alternate(code: str) -> str:
    return f"/api/v1/public/receipts/{code}"


def _lookup_failed(request: Request, code: str) -> Response:
    """The one answer to any code that names no submission (unknown, mistyped or malformed)."""
    return render(
        request,
        "public/receipt_lookup.html",
        {"code": code, "not_found": True},
        status_code=404,
        headers=NO_STORE,
    )


@router.get("/report/sent/{code}")
def report_sent_page(request: Request, code: str, session: SessionDep, actor: MaybeWebActor) -> Response:
    """The receipt right after reporting: the reference code, big, and how to keep and use it."""
    rate_limit(request, "receipt")
    try:
        status = intake.receipt_status(session, reference_code=code)
    except NotFound:
        return _lookup_failed(request, code)
    return render(
        request,
        "public/sent.html",
        {"code": status.reference_code},
        alternate=_receipt_alternate(status.reference_code),
        headers=NO_STORE,
    )


@router.get("/receipt")
def receipt_lookup_page(
    request: Request, session: SessionDep, actor: MaybeWebActor, code: str | None = None
) -> Response:
    """Follow a report by its reference code (the form, or straight on to the code's page)."""
    if code is None or not code.strip():
        return render(
            request, "public/receipt_lookup.html", {"code": "", "not_found": False}, headers=NO_STORE
        )
    normal = intake_rules.normalize_reference_code(code[:100])
    if normal is None:
        rate_limit(request, "receipt")
        return _lookup_failed(request, code[:100])
    return RedirectResponse(f"/receipt/{normal}", status_code=303)


def _receipt_context(request: Request, session: Session, code: str) -> dict[str, Any] | None:
    try:
        status = intake.receipt_status(session, reference_code=code)
    except NotFound:
        return None
    title, explanation = RECEIPT_LABELS[status.status.value]
    return {
        "code": status.reference_code,
        "status": status.status.value,
        "status_title": title,
        "status_text": explanation,
        "incident_id": status.incident_id,
        "added": request.query_params.get("added") == "1",
        "body": "",
        "errors": {},
        "had_files": False,
        "max_files": MAX_FILES,
        "max_size": format_size(request.app.state.settings.max_evidence_bytes, request_language(request)),
        "max_bytes": request.app.state.settings.max_evidence_bytes,
        "accept": ACCEPT,
    }


@router.get("/receipt/{code}")
def receipt_page(request: Request, code: str, session: SessionDep, actor: MaybeWebActor) -> Response:
    """What became of a report, and a form to add information to it."""
    rate_limit(request, "receipt")
    context = _receipt_context(request, session, code)
    if context is None:
        return _lookup_failed(request, code)
    if context["code"] != code:
        return RedirectResponse(f"/receipt/{context['code']}", status_code=303)
    return render(
        request, "public/receipt.html", context, alternate=_receipt_alternate(code), headers=NO_STORE
    )


@router.post("/receipt/{code}")
def add_information_page(
    request: Request,
    code: str,
    session: SessionDep,
    actor: MaybeWebActor,
    store: EvidenceStoreDep,
    _: CsrfChecked,
    form: Annotated[AdditionForm, Form(media_type="multipart/form-data")],
) -> Response:
    """Add text and files to a report by its code: a new message kept with the original."""
    rate_limit(request, "receipt")
    if form.website:
        return _honeypot_refused(request)
    context = _receipt_context(request, session, code)
    if context is None:
        return _lookup_failed(request, code)
    settings = request.app.state.settings
    lang = request_language(request)
    problems = Problems(_gettext(request))
    uploads = _read_files(form.files, settings, problems, lang=lang)
    had_files = any(f.filename for f in form.files)
    body = form.body.strip()
    data: AdditionCreate | None = None
    try:
        data = AdditionCreate(body=body or None, language=lang)
    except ValidationError as exc:
        for error in exc.errors():
            problems.add("body", _validation_problem(error, problems.gettext))
    if data is not None and data.body is None and not uploads and "files" not in problems.by_field:
        problems.add("body", problems.gettext("Write what you want to add, or attach a file."))
    if data is None or problems:
        return _addition_again(request, context, body, problems, had_files=had_files)
    try:
        with session.begin_nested():
            message = intake.add_to_submission(
                session, reference_code=code, data=data, actor=actor, with_files=bool(uploads)
            )
            original = intake.submission_by_code(session, code)
            report = intake.submission_report(session, original) if uploads else None
            _store_files(
                session, uploads, message=message, report=report, actor=actor, store=store, settings=settings
            )
    except DomainError as exc:
        if exc.code == "report_withdrawn":
            problems.add(
                "body",
                problems.gettext(
                    "This report was withdrawn and takes no more information. Send a new report instead."
                ),
            )
            return _addition_again(request, context, body, problems, had_files=had_files)
        if exc.field is None:
            raise
        problems.add(FIELD_OF.get(exc.field, exc.field), _domain_problem(exc, problems.gettext))
        return _addition_again(request, context, body, problems, had_files=had_files)
    return RedirectResponse(f"/receipt/{context['code']}?added=1#added", status_code=303)


def _addition_again(
    request: Request, context: dict[str, Any], body: str, problems: Problems, *, had_files: bool
) -> Response:
    context = {**context, "body": body, "errors": problems.by_field, "had_files": had_files, "added": False}
    return render(
        request,
        "public/receipt.html",
        context,
        status_code=422,
        alternate=_receipt_alternate(context["code"]),
        headers=NO_STORE,
    )


# ---------------------------------------------------------------------------------------------------
# Published incidents


Paging = Annotated[PageRequest, Depends(page_params)]


def _labels() -> dict[str, Any]:
    return {
        "grade_labels": GRADE_LABELS,
        "grade_hints": GRADE_HINTS,
        "stage_labels": STAGE_LABELS,
        "stance_labels": STANCE_LABELS,
        "act_labels": ACT_LABELS,
        "event_labels": EVENT_LABELS,
        "place_labels": PLACE_LABELS,
        "range_text": _range_text,
    }


@router.get("/published")
def published_page(request: Request, session: SessionDep, actor: MaybeWebActor, page: Paging) -> Response:
    """Incidents published to the public, latest event first, with their grade, time and place."""
    found = incidents.list_public_incidents(session, page=page)
    lang = request_language(request)
    rows = [{"incident": i, "when": _window_text(i.window_start, i.window_end, lang)} for i in found.items]
    last = max(1, -(-found.total // page.size))
    context = {
        "rows": rows,
        "page": page.page,
        "pages": last,
        "total": found.total,
        "has_next": found.has_next,
        **_labels(),
    }
    return render(
        request,
        "public/published.html",
        context,
        alternate=f"/api/v1/public/incidents?page={page.page}&size={page.size}",
    )


@router.get("/published/{incident_id}")
def published_incident_page(
    request: Request, incident_id: str, session: SessionDep, actor: MaybeWebActor
) -> Response:
    """A published incident: what was claimed, never by whom (as the public API shows it)."""
    incident = incidents.read_public_incident(session, incident_id=incident_id)
    lang = request_language(request)
    when = _window_text(incident.window.start, incident.window.end, lang) if incident.window else ""
    claims = [
        {"claim": c, "when": _window_text(c.occurred_start, c.occurred_end, lang)} for c in incident.claims
    ]
    context = {"incident": incident, "when": when, "claims": claims, **_labels()}
    return render(
        request,
        "public/incident.html",
        context,
        alternate=f"/api/v1/public/incidents/{incident.id}",
    )
