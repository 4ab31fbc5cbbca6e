"""Users, roles and API tokens through the API."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from ceasefire.identity.models import ApiToken
from ceasefire.identity.security import token_digest


def test_me_answers_with_the_token_owner(client: TestClient, as_role) -> None:
    me = client.get("/api/v1/me", headers=as_role("observer", username="post7")).json()
    assert me["username"] == "post7"
    assert me["role"] == "observer"
    assert "password_hash" not in me


def test_only_admins_manage_users(client: TestClient, as_role) -> None:
    new = {"username": "kirby", "display_name": "J. Kirby", "role": "liaison_officer"}
    assert client.post("/api/v1/users", json=new, headers=as_role("analyst")).status_code == 403
    created = client.post("/api/v1/users", json=new, headers=as_role("admin"))
    assert created.status_code == 201
    again = client.post("/api/v1/users", json=new, headers=as_role("admin"))
    assert again.status_code == 409
    assert again.json()["error"]["field"] == "username"


def test_a_party_representative_needs_a_party(client: TestClient, as_role) -> None:
    response = client.post(
        "/api/v1/users",
        json={"username": "rep", "display_name": "Rep", "role": "party_representative"},
        headers=as_role("admin"),
    )
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "party_id"


def test_tokens_are_stored_hashed_and_can_be_revoked(client: TestClient, as_role, session: Session) -> None:
    headers = as_role("analyst")
    issued = client.post("/api/v1/me/tokens", json={"name": "laptop"}, headers=headers).json()
    secret = issued["token"]
    assert secret.startswith("cf_")
    stored = session.scalar(select(ApiToken).where(ApiToken.id == issued["id"]))
    assert stored is not None
    assert stored.token_hash == token_digest(secret)
    assert secret not in {stored.token_hash, stored.prefix}
    mine = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/me", headers=mine).status_code == 200
    assert client.delete(f"/api/v1/me/tokens/{issued['id']}", headers=mine).status_code == 200
    assert client.get("/api/v1/me", headers=mine).status_code == 401


def test_token_expiry_must_be_aware_and_future(client: TestClient, as_role) -> None:
    headers = as_role("analyst")
    naive = client.post(
        "/api/v1/me/tokens", json={"name": "x", "expires_at": "2030-01-01T00:00:00"}, headers=headers
    )
    assert naive.status_code == 422
    assert naive.json()["error"]["code"] == "naive_datetime"
    past = client.post(
        "/api/v1/me/tokens", json={"name": "x", "expires_at": "2001-01-01T00:00:00Z"}, headers=headers
    )
    assert past.status_code == 422


def test_a_password_buys_a_token_and_a_wrong_one_does_not(client: TestClient, session: Session) -> None:
    from tests.factories import make_user

    make_user(session, username="coordinator1", role="humanitarian_coordinator")
    wrong = client.post("/api/v1/tokens", json={"username": "coordinator1", "password": "nope"})
    assert wrong.status_code == 401
    unknown = client.post("/api/v1/tokens", json={"username": "ghost", "password": "nope"})
    assert unknown.json()["error"] == wrong.json()["error"]
    ok = client.post("/api/v1/tokens", json={"username": "coordinator1", "password": "correct horse battery"})
    assert ok.status_code == 201
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {ok.json()['token']}"})
    assert me.json()["role"] == "humanitarian_coordinator"
