"""The comment cookies (:mod:`advice.comments.cookies`): "remember me" and
the browser key, as functions of values (no database)."""

import pytest

from advice.comments.cookies import browser_key_hash, remember_cookie_value, remembered_author

# --- cookies --------------------------------------------------------------------------


def test_remember_cookie_round_trips_any_script():
    value = remember_cookie_value("Zoë 🙈 שלום", "zoe@example.com", "https://zoë.example/")
    assert value.isascii()
    assert ";" not in value
    assert " " not in value
    assert remembered_author(value) == {
        "name": "Zoë 🙈 שלום",
        "email": "zoe@example.com",
        "url": "https://zoë.example/",
    }


@pytest.mark.parametrize("value", [None, "", "garbage", "a:b:c", "\x00"])
def test_tampered_or_missing_remember_cookie_is_ignored(value):
    assert remembered_author(value) == {}


def test_remember_cookie_edited_by_hand_is_ignored():
    value = remember_cookie_value("Ana", "ana@example.com", "")
    payload, signature = value.rsplit(":", 1)
    other = remember_cookie_value("Mallory", "m@example.com", "").rsplit(":", 1)[0]
    assert remembered_author(f"{other}:{signature}") == {}
    assert remembered_author(f"{payload}:{signature[::-1]}") == {}


def test_browser_key_is_a_hash_not_the_token():
    key = browser_key_hash("secret-token")
    assert len(key) == 64
    assert "secret" not in key
    assert key == browser_key_hash("secret-token") != browser_key_hash("other-token")
