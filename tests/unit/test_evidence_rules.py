"""Pure evidence rules: sizes, sniffed types, file names, URLs and capture times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ceasefire.evidence.rules import (
    check_captured_at,
    check_size,
    check_type,
    check_url,
    digest,
    sanitize_filename,
    sniff,
)
from ceasefire.kernel.errors import Invalid, TooLarge
from tests.evidence_data import ELF, HTML, JPEG, TEXT, png

ALLOWED = ("image/jpeg", "image/png", "application/pdf", "text/plain")
NOW = datetime(2016, 5, 3, 12, 0, tzinfo=UTC)


def test_empty_and_oversized_files_are_refused_naming_the_limit() -> None:
    with pytest.raises(Invalid) as empty:
        check_size(0, max_bytes=100)
    assert (empty.value.code, empty.value.field) == ("empty_file", "file")
    with pytest.raises(TooLarge) as big:
        check_size(101, max_bytes=100)
    assert big.value.field == "file"
    assert big.value.details["limit"] == 100
    assert "100 bytes" in big.value.message
    check_size(100, max_bytes=100)


def test_types_come_from_the_bytes() -> None:
    assert sniff(png()).media_type == "image/png"
    assert sniff(JPEG).media_type == "image/jpeg"
    assert sniff(HTML).media_type == "text/html"
    assert sniff(TEXT).media_type == "text/plain"
    assert sniff(ELF).media_type != "image/jpeg"
    assert sniff(bytes(range(256))).media_type == "application/octet-stream"
    assert sniff(b"abc\x00def").media_type == "application/octet-stream"


def test_a_png_declared_as_png_is_accepted_without_mismatch() -> None:
    verdict = check_type(png(), declared="image/png", allowed=ALLOWED)
    assert verdict.media_type == "image/png"
    assert not verdict.mismatch


def test_a_mismatched_declaration_is_kept_but_the_sniffed_type_wins() -> None:
    verdict = check_type(png(), declared="Image/JPEG; charset=binary", allowed=ALLOWED)
    assert verdict.media_type == "image/png"
    assert verdict.declared == "image/jpeg"
    assert verdict.mismatch


@pytest.mark.parametrize("content", [ELF, HTML, b"MZ\x90\x00" + b"\x00" * 60])
def test_executables_and_html_declared_as_jpeg_are_refused(content: bytes) -> None:
    with pytest.raises(Invalid) as refused:
        check_type(content, declared="image/jpeg", allowed=ALLOWED)
    assert refused.value.code == "unsupported_type"
    assert refused.value.field == "file"
    assert refused.value.details["declared"] == "image/jpeg"
    assert refused.value.details["sniffed"] != "image/jpeg"


def test_plain_text_is_recognised_only_when_it_is_utf8() -> None:
    assert check_type(TEXT, declared="text/plain", allowed=ALLOWED).media_type == "text/plain"
    with pytest.raises(Invalid):
        check_type("caf\xe9 latin-1".encode("latin-1"), declared="text/plain", allowed=ALLOWED)


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("photo.jpg", "photo.jpg"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\field\\IMG_0001.JPG", "IMG_0001.JPG"),
        ("report\u202egnp.exe", "reportgnp.exe"),
        ("line\nbreak.png", "linebreak.png"),
        (".hidden", "hidden"),
        ("..", None),
        ("dir/", None),
        ("", None),
        (None, None),
    ],
)
def test_file_names_lose_paths_and_control_characters(given: str | None, kept: str | None) -> None:
    assert sanitize_filename(given) == kept


def test_long_file_names_keep_their_extension() -> None:
    name = sanitize_filename("a" * 400 + ".jpeg")
    assert name is not None
    assert len(name) == 255
    assert name.endswith(".jpeg")


@pytest.mark.parametrize(
    "url", ["https://example.org/video?id=1", "HTTP://example.org", "http://10.0.0.1:8080/x"]
)
def test_http_and_https_urls_are_accepted(url: str) -> None:
    assert check_url(f"  {url} ") == url


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("javascript:alert(1)", "unsupported_url_scheme"),
        ("file:///etc/passwd", "unsupported_url_scheme"),
        ("ftp://example.org/a", "unsupported_url_scheme"),
        ("data:text/html,hi", "unsupported_url_scheme"),
        ("/relative/path", "unsupported_url_scheme"),
        ("http://", "bad_url"),
        ("https://user:secret@example.org/", "bad_url"),
        ("https://example.org/a b", "bad_url"),
        ("https://example.org:99999/", "bad_url"),
        ("", "bad_url"),
        ("https://example.org/" + "a" * 2000, "bad_url"),
    ],
)
def test_other_urls_are_refused(url: str, code: str) -> None:
    with pytest.raises(Invalid) as refused:
        check_url(url)
    assert (refused.value.code, refused.value.field) == (code, "url")


def test_capture_times_must_be_aware_and_not_in_the_future() -> None:
    with pytest.raises(Invalid) as naive:
        check_captured_at(datetime(2016, 5, 3, 12, 0), now=NOW)
    assert naive.value.code == "naive_datetime"
    with pytest.raises(Invalid) as future:
        check_captured_at(NOW + timedelta(hours=1), now=NOW)
    assert (future.value.code, future.value.field) == ("future_datetime", "captured_at")
    # A device clock a minute fast is not a claim about the future.
    assert check_captured_at(NOW + timedelta(minutes=1), now=NOW) == NOW + timedelta(minutes=1)


def test_digest_is_hex_sha256() -> None:
    assert digest(b"abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
