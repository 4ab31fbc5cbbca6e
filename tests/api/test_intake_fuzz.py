"""Random and mangled JSON thrown at the intake routes never gets a 500: always a 2xx or a 4xx envelope."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from ceasefire.intake.schemas import MessageCreate, PublicReportSubmission, ReportSubmission
from ceasefire.kernel.claims import SUB_EVENT_TYPES, Channel, EventType
from tests.factories import report_claim

API = "/api/v1"
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# Values that have broken intake code elsewhere: edge dates, zones, huge numbers, hostile text.
TRICKY: list[Any] = [
    "2099-01-01T00:00:00Z",
    "2016-03-05T15:00:00",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-12:00",
    "1899-12-31T23:59:59+00:00",
    "2016-02-30",
    1e308,
    -1,
    2**70,
    float("nan"),
    float("inf"),
    "\x00",
    "\ud800",
    "x" * 5000,
    "../../etc/passwd",
    "Mars/Olympus",
    "UTC",
    "no-such-id",
    "",
    " ",
    *[c.value for c in Channel],
    *[e.value for e in EventType],
    *[s for subs in SUB_EVENT_TYPES.values() for s in subs][:6],
]

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
    | st.sampled_from(TRICKY)
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)


@st.composite
def mutated(draw: st.DrawFn, base: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    """A valid payload with a few fields replaced by random values, dropped, or added."""
    payload = dict(base)
    for _ in range(draw(st.integers(min_value=0, max_value=4))):
        key = draw(st.sampled_from([*fields, "unexpected"]))
        if draw(st.booleans()):
            payload.pop(key, None)
        else:
            payload[key] = draw(json_values)
    return payload


def bodies(base: dict[str, Any], fields: list[str]) -> st.SearchStrategy[Any]:
    return st.one_of(json_values, mutated(base, fields), mutated(base, fields))


keys = (
    st.none() | st.sampled_from(["retry-1", "retry-2"]) | st.from_regex(r"[\x20-\x7e]{0,130}", fullmatch=True)
)

REPORT = report_claim(
    submitter_name="Field office", contact="+963 11 000", body="raw text", payload={"a": [1]}
)
MESSAGE = {"channel": "sms", "body": "Shelling now in Jobar", "contact": "+963 944", "payload": {"sim": 1}}


def _throw(client: TestClient, path: str, body: Any, headers: dict[str, str], key: str | None) -> None:
    if key is not None:
        headers = {**headers, "Idempotency-Key": key}
    # Encoded by hand: NaN, Infinity and lone surrogates are what a hostile client can send.
    content = json.dumps(body, allow_nan=True).encode("utf-8")
    response = client.post(
        f"{API}{path}", content=content, headers={**headers, "Content-Type": "application/json"}
    )
    assert response.status_code < 500, (path, body, response.text)
    event(f"status {response.status_code}")
    if response.status_code >= 400:
        error = response.json()["error"]
        assert error["status"] == response.status_code
        assert error["code"]


@FUZZ
@given(body=bodies(REPORT, sorted(ReportSubmission.model_fields)), key=keys)
def test_random_reports_never_cause_a_server_error(
    client: TestClient, analyst: dict[str, str], body: Any, key: str | None
) -> None:
    _throw(client, "/reports", body, analyst, key)


@FUZZ
@given(body=bodies(MESSAGE, sorted(MessageCreate.model_fields)), key=keys)
def test_random_messages_never_cause_a_server_error(
    client: TestClient, analyst: dict[str, str], body: Any, key: str | None
) -> None:
    _throw(client, "/messages", body, analyst, key)


@FUZZ
@given(body=bodies(REPORT, sorted(PublicReportSubmission.model_fields)), key=keys)
def test_random_public_reports_never_cause_a_server_error(
    client: TestClient, body: Any, key: str | None
) -> None:
    _throw(client, "/public/reports", body, {}, key)


def test_the_payloads_the_fuzzing_starts_from_are_accepted(
    client: TestClient, analyst: dict[str, str]
) -> None:
    # So the tests above throw at working routes, and mangle payloads that are valid to begin with.
    assert client.post(f"{API}/reports", json=REPORT, headers=analyst).status_code == 201
    assert client.post(f"{API}/messages", json=MESSAGE, headers=analyst).status_code == 201
    assert client.post(f"{API}/public/reports", json=REPORT).status_code == 201
