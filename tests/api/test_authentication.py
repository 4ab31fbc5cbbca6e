"""Every route but the public ones refuses a request without a token."""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.testclient import TestClient

PUBLIC = {("GET", "/api/v1/health"), ("POST", "/api/v1/tokens")}
# Published incidents, readable by anyone.
PUBLIC |= {("GET", "/api/v1/public/incidents"), ("GET", "/api/v1/public/incidents/{incident_id}")}
# Reports from the public web form, and the receipts their senders follow them by.
PUBLIC |= {("POST", "/api/v1/public/reports"), ("GET", "/api/v1/public/receipts/{reference_code}")}
# The map's incidents: published ones to the public, what the reader may see with a token.
PUBLIC |= {("GET", "/api/v1/map/incidents")}
# Information a sender adds later to a report, by its reference code.
PUBLIC |= {("POST", "/api/v1/public/receipts/{reference_code}/additions")}


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "x", path)


def test_every_non_public_route_needs_a_token(app: FastAPI, client: TestClient) -> None:
    checked = 0
    for path, operations in app.openapi()["paths"].items():
        for method in (m.upper() for m in operations):
            if (method, path) in PUBLIC:
                continue
            response = client.request(method, _concrete(path), json={})
            assert response.status_code == 401, (method, path, response.status_code)
            assert response.json()["error"]["code"] == "missing_token"
            checked += 1
    assert checked >= 25


def test_public_routes_answer_without_a_token(client: TestClient) -> None:
    assert client.get("/api/v1/health").status_code == 200
    assert client.post("/api/v1/tokens", json={"username": "x", "password": "y"}).status_code == 401
    assert client.get("/api/v1/openapi.json").status_code == 200
