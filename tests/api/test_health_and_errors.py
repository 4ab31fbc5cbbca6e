"""The API's public health route, its authentication and its one error envelope."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.exc import OperationalError


def test_health_reports_the_database_and_schema(client: TestClient, dialect: str) -> None:
    body = client.get("/api/v1/health").json()
    assert body["status"] == "ok"
    assert body["database"] == dialect
    assert body["schema_up_to_date"] is True
    assert body["schema_revision"] == body["schema_head"]


def test_routes_need_a_token(client: TestClient) -> None:
    response = client.get("/api/v1/audit")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["error"]["code"] == "missing_token"


def test_a_wrong_token_is_refused(client: TestClient) -> None:
    response = client.get("/api/v1/me", headers={"Authorization": "Bearer cf_nope"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "bad_token"


def test_unknown_route_uses_the_envelope(client: TestClient) -> None:
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json()["error"] == {
        "status": 404,
        "code": "not_found",
        "message": "Not Found",
        "field": None,
        "details": None,
    }


def test_malformed_json_is_a_400_naming_the_body(client: TestClient, as_role) -> None:
    headers = {**as_role("admin"), "Content-Type": "application/json"}
    response = client.post("/api/v1/users", content=b"{not json", headers=headers)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed_json"


def test_wrong_types_name_the_field(client: TestClient, as_role) -> None:
    response = client.post(
        "/api/v1/users",
        json={"username": "x1", "display_name": "X", "role": "emperor"},
        headers=as_role("admin"),
    )
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "role"


def test_oversized_bodies_are_refused_before_parsing(client: TestClient, as_role) -> None:
    big = b'{"username": "' + b"a" * (70 * 1024) + b'"}'
    headers = {**as_role("admin"), "Content-Type": "application/json"}
    response = client.post("/api/v1/users", content=big, headers=headers)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"

    def chunks():
        yield big[:40000]
        yield big[40000:]

    streamed = client.post("/api/v1/users", content=chunks(), headers=headers)
    assert streamed.status_code == 413


def test_openapi_has_stable_operation_ids(client: TestClient) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    ids = [op["operationId"] for path in spec["paths"].values() for op in path.values()]
    assert "health" in ids
    assert "list_audit_entries" in ids
    assert len(ids) == len(set(ids))


def test_a_busy_sqlite_database_is_a_503_to_retry_not_a_500(app: FastAPI, client: TestClient) -> None:
    def locked() -> None:
        raise OperationalError("INSERT INTO report ...", {}, Exception("database is locked"))

    def broken() -> None:
        raise OperationalError("SELECT 1", {}, Exception("disk I/O error"))

    app.add_api_route("/api/v1/test-locked", locked)
    app.add_api_route("/desk/test-locked", locked)
    app.add_api_route("/api/v1/test-broken", broken)
    busy = client.get("/api/v1/test-locked")
    assert busy.status_code == 503
    assert busy.headers["Retry-After"] == "5"
    assert busy.json()["error"]["code"] == "database_busy"
    page = client.get("/desk/test-locked")
    assert page.status_code == 503
    assert "text/html" in page.headers["content-type"]
    assert "Try again shortly" in page.text
    assert client.get("/api/v1/test-broken").status_code == 500  # other database failures stay 500
