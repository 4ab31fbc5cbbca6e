"""Fixtures of the page tests: a browser-like client (https, cookies, no redirects followed) and sign-in."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from html.parser import HTMLParser

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy.orm import Session

from ceasefire.identity.models import User
from tests.factories import make_user

PASSWORD = "correct horse battery"  # the factories' password
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def web(app: FastAPI) -> Iterator[TestClient]:
    """A client that behaves like a browser on https (so Secure cookies are kept and sent)."""
    with TestClient(
        app, base_url="https://testserver", raise_server_exceptions=False, follow_redirects=False
    ) as c:
        yield c


def csrf_from(response: Response) -> str:
    """The CSRF token of the first form of a page."""
    found = _CSRF.search(response.text)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def csrf_token(client: TestClient, path: str = "/login") -> str:
    """Load a page (which sets the CSRF cookie) and return the token its forms carry."""
    response = client.get(path)
    assert response.status_code == 200, response.text
    return csrf_from(response)


@pytest.fixture
def sign_in(session: Session, web: TestClient) -> Callable[..., User]:
    """Sign the web client in as a new user of a role: `user = sign_in("analyst")`."""

    def do(role: str = "analyst", **overrides: object) -> User:
        user = make_user(session, role=role, **overrides)
        data = {"username": user.username, "password": PASSWORD, "csrf_token": csrf_token(web), "next": "/"}
        response = web.post("/login", data=data)
        assert response.status_code == 303, response.text
        return user

    return do


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def page_text(response: Response) -> str:
    """The visible text of a page, whitespace collapsed (to assert what a reader sees)."""
    parser = _Text()
    parser.feed(response.text)
    return " ".join(" ".join(parser.parts).split())


PageText = Callable[[Response], str]
