"""Safe redirects, password rules, keyed hashes."""

from __future__ import annotations

import pytest

from advocacy.security import (
    hash_password,
    is_safe_local_url,
    keyed_hash,
    password_problems,
    verify_password,
)


@pytest.mark.parametrize("url", ["/", "/admin/people?page=2", "/r/abc#x", "/profile"])
def test_local_paths_are_safe(url):
    assert is_safe_local_url(url)


@pytest.mark.parametrize("url", [
    None, "", "https://evil.example/", "//evil.example", "/\\evil.example", "\\\\evil",
    "javascript:alert(1)", "evil.example", "/\r\nLocation: x", "/\tx", "http:/x", "/a\\b",
])
def test_everything_else_is_not(url):
    assert not is_safe_local_url(url)


def test_password_hash_is_slow_and_salted():
    first, second = hash_password("same words here"), hash_password("same words here")
    assert first.startswith("scrypt:") and first != second
    assert verify_password(first, "same words here")
    assert not verify_password(first, "other words here")
    assert not verify_password(None, "anything at all")


def test_password_rules(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert password_problems("correct horse battery", "anna@example.org", 10) == []
        assert password_problems("short", "anna@example.org", 10) == ["Use at least 10 characters."]
        assert "too easy to guess" in password_problems("passwort123", "a@b.c", 10)[0]
        assert "e-mail address" in password_problems("anna.smith@example.org",
                                                     "anna.smith@example.org", 10)[0]
        assert "e-mail address" in password_problems("xxannasmithxx", "annasmith@x.org", 10)[0]


def test_keyed_hash_depends_on_the_secret():
    assert keyed_hash("a", "value") == keyed_hash("a", "value")
    assert keyed_hash("a", "value") != keyed_hash("b", "value")
    assert len(keyed_hash("a", "value")) == 64
