"""The web tier itself: languages, security headers, CSRF, sign-in with lockout and rate limits, errors."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from ceasefire.audit.models import AuditEntry
from ceasefire.identity.models import ApiToken, User
from ceasefire.web.auth import SESSION_COOKIE
from tests.factories import make_user
from tests.web.conftest import PASSWORD, csrf_token, page_text


@pytest.mark.parametrize(("lang", "direction"), [("en", "ltr"), ("ar", "rtl"), ("ru", "ltr")])
def test_the_language_switch_sets_lang_and_direction(web: TestClient, lang: str, direction: str) -> None:
    response = web.get(f"/?lang={lang}")
    assert response.status_code == 200
    assert f'<html lang="{lang}" dir="{direction}">' in response.text
    assert web.cookies.get("lang") == lang
    # The choice is remembered on the next page without the parameter.
    assert f'<html lang="{lang}"' in web.get("/login").text


def test_accept_language_picks_the_language_when_nothing_was_chosen(web: TestClient) -> None:
    response = web.get("/", headers={"Accept-Language": "ar-SY,ar;q=0.9,en;q=0.5"})
    assert 'dir="rtl"' in response.text


def test_every_page_has_a_strict_content_security_policy(web: TestClient) -> None:
    for path in ("/", "/login", "/no-such-page", "/api/v1/health"):
        headers = web.get(path).headers
        csp = headers["content-security-policy"]
        assert "script-src 'self'" in csp
        assert "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"


def test_pages_carry_no_inline_script_or_style(web: TestClient) -> None:
    for path in ("/", "/login"):
        text = web.get(path).text
        assert "<script>" not in text
        assert "<style" not in text
        assert " style=" not in text
        assert " onclick=" not in text


def test_the_map_library_is_served_from_the_package_not_a_cdn(web: TestClient) -> None:
    response = web.get("/static/vendor/leaflet/leaflet.js")
    assert response.status_code == 200
    assert "Leaflet" in response.text[:500]
    assert web.get("/static/css/app.css").status_code == 200


def test_sign_in_sets_a_secure_http_only_session_cookie(
    web: TestClient, session: Session, sign_in: Callable[..., User]
) -> None:
    user = sign_in("analyst")
    cookie = next(c for c in web.cookies.jar if c.name == SESSION_COOKIE)
    assert cookie.secure
    assert cookie.has_nonstandard_attr("HttpOnly")
    token = session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)).one()
    assert token.name == "web sign-in"
    assert token.expires_at is not None
    assert user.display_name in page_text(web.get("/"))


def test_a_form_without_a_valid_csrf_token_is_refused(web: TestClient, session: Session) -> None:
    user = make_user(session)
    csrf_token(web)  # the browser has its CSRF cookie, but the form does not carry the token
    for token in (None, "forged"):
        data = {"username": user.username, "password": PASSWORD}
        if token:
            data["csrf_token"] = token
        response = web.post("/login", data=data)
        assert response.status_code == 403
        assert "reload the page" in page_text(response)
    assert SESSION_COOKIE not in web.cookies


def test_a_form_posted_from_another_site_is_refused(web: TestClient, session: Session) -> None:
    user = make_user(session)
    data = {"username": user.username, "password": PASSWORD, "csrf_token": csrf_token(web)}
    response = web.post("/login", data=data, headers={"Origin": "https://evil.example"})
    assert response.status_code == 403


def test_wrong_passwords_lock_the_account_and_the_lock_is_audited(
    web: TestClient, session: Session, settings: object
) -> None:
    user = make_user(session)
    token = csrf_token(web)
    for _ in range(5):  # the default login_max_failures
        response = web.post(
            "/login", data={"username": user.username, "password": "wrong", "csrf_token": token}
        )
        assert response.status_code == 401
        assert "wrong username or password" in page_text(response)
    # Now even the right password is refused, and the page says why.
    response = web.post("/login", data={"username": user.username, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 401
    assert "locked" in page_text(response)
    session.refresh(user)
    assert user.locked_until is not None
    lock = session.scalars(select(AuditEntry).where(AuditEntry.action == "user.lock")).one()
    assert lock.entity_id == user.id


def test_the_api_sign_in_shares_the_lockout(client: TestClient, session: Session) -> None:
    user = make_user(session)
    for _ in range(5):
        assert (
            client.post("/api/v1/tokens", json={"username": user.username, "password": "nope"}).status_code
            == 401
        )
    response = client.post("/api/v1/tokens", json={"username": user.username, "password": PASSWORD})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "account_locked"


def test_a_success_resets_the_count_of_wrong_passwords(web: TestClient, session: Session) -> None:
    user = make_user(session)
    token = csrf_token(web)
    for _ in range(3):
        web.post("/login", data={"username": user.username, "password": "wrong", "csrf_token": token})
    assert (
        web.post(
            "/login", data={"username": user.username, "password": PASSWORD, "csrf_token": token}
        ).status_code
        == 303
    )
    session.refresh(user)
    assert user.failed_logins == 0


def test_sign_in_attempts_are_rate_limited_per_address(
    engine: object, session: Session, settings: object
) -> None:
    from ceasefire.app import create_app
    from ceasefire.settings import Settings

    assert isinstance(settings, Settings)
    app = _app_sharing(
        create_app(settings.model_copy(update={"login_rate_limit": "3/minute"}), engine=engine), session
    )  # type: ignore[arg-type]
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as web:
        token = csrf_token(web)
        statuses = [
            web.post(
                "/login", data={"username": f"nobody{i}", "password": "x", "csrf_token": token}
            ).status_code
            for i in range(4)
        ]
        assert statuses == [401, 401, 401, 429]
        refused = web.post("/login", data={"username": "nobody", "password": "x", "csrf_token": token})
        assert refused.status_code == 429
        assert int(refused.headers["retry-after"]) >= 1


def _app_sharing(app: FastAPI, session: Session) -> FastAPI:
    from ceasefire.api.deps import get_session

    def shared() -> object:
        yield session
        session.commit()

    app.dependency_overrides[get_session] = shared
    return app


def test_signing_out_revokes_the_session(
    web: TestClient, session: Session, sign_in: Callable[..., User]
) -> None:
    user = sign_in("analyst")
    secret = web.cookies[SESSION_COOKIE]
    response = web.post("/logout", data={"csrf_token": csrf_token(web, "/")})
    assert response.status_code == 303
    token = session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)).one()
    assert token.revoked_at is not None
    # The old cookie no longer signs anyone in.
    web.cookies.set(SESSION_COOKIE, secret, domain="testserver.local")
    assert user.display_name not in page_text(web.get("/"))


def test_after_sign_in_the_browser_goes_back_only_to_this_site(web: TestClient, session: Session) -> None:
    user = make_user(session)
    cases = (("/map", "/map"), ("https://evil.example/", "/desk"), ("//evil.example", "/desk"))
    for target, expected in cases:
        web.cookies.clear()
        data = {
            "username": user.username,
            "password": PASSWORD,
            "csrf_token": csrf_token(web),
            "next": target,
        }
        response = web.post("/login", data=data)
        assert response.headers["location"] == expected


def test_unknown_pages_get_the_html_404_and_the_api_keeps_its_envelope(web: TestClient) -> None:
    page = web.get("/no/such/page")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "nothing at this address" in page_text(page)
    api = web.get("/api/v1/no-such-route")
    assert api.status_code == 404
    assert api.json()["error"]["code"] == "not_found"
