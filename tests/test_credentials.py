"""Join codes, keys and tokens: unguessable, typed easily, stored only as hashes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import string

import pytest

from pinboard import credentials

LOOK_ALIKES = "0O1IL5S2Z8B"


def _bits(secret: str) -> int:
    return len(base64.urlsafe_b64decode(secret + "=" * (-len(secret) % 4))) * 8


# ---- join codes --------------------------------------------------------------------------


def test_join_code_alphabet_has_no_look_alikes() -> None:
    assert not set(credentials.JOIN_CODE_ALPHABET) & set(LOOK_ALIKES)
    assert set(credentials.JOIN_CODE_ALPHABET) <= set(string.ascii_uppercase + string.digits)
    assert len(set(credentials.JOIN_CODE_ALPHABET)) == len(credentials.JOIN_CODE_ALPHABET)


def test_join_codes_have_six_characters_from_the_alphabet() -> None:
    codes = [credentials.new_join_code() for _ in range(500)]
    assert credentials.JOIN_CODE_LENGTH == 6
    assert all(len(code) == 6 for code in codes)
    assert all(set(code) <= set(credentials.JOIN_CODE_ALPHABET) for code in codes)


def test_join_codes_use_the_whole_alphabet_and_vary() -> None:
    codes = [credentials.new_join_code() for _ in range(2000)]
    assert set("".join(codes)) == set(credentials.JOIN_CODE_ALPHABET)
    assert len(set(codes)) > 1990


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("karf7v", "KARF7V"),
        ("KaRf7V", "KARF7V"),
        (" KAR F7V ", "KARF7V"),
        ("kar\tf7v\n", "KARF7V"),
        ("K A R F 7 V", "KARF7V"),
        ("KARF7V", "KARF7V"),
    ],
)
def test_join_codes_are_normalised_ignoring_case_and_spaces(typed: str, expected: str) -> None:
    assert credentials.normalise_join_code(typed) == expected


# ---- secrets -----------------------------------------------------------------------------


def test_new_secrets_carry_at_least_128_bits_and_are_url_safe() -> None:
    secrets_ = {credentials.new_secret() for _ in range(200)}
    assert len(secrets_) == 200
    for secret in secrets_:
        assert _bits(secret) >= 128
        assert set(secret) <= set(string.ascii_letters + string.digits + "-_")


def test_derived_secret_is_deterministic_strong_and_purpose_bound() -> None:
    key = credentials.new_secret()
    derived = credentials.derive_secret(key, "projector")
    assert derived == credentials.derive_secret(key, "projector")
    assert derived != key
    assert derived != credentials.derive_secret(key, "other")
    assert derived != credentials.derive_secret(credentials.new_secret(), "projector")
    assert _bits(derived) >= 128
    assert set(derived) <= set(string.ascii_letters + string.digits + "-_")


def test_workshop_ids_are_random_and_url_safe() -> None:
    ids = {credentials.new_workshop_id() for _ in range(200)}
    assert len(ids) == 200
    assert all(0 < len(i) <= 24 and set(i) <= set(string.ascii_letters + string.digits + "-_") for i in ids)


# ---- hashing -----------------------------------------------------------------------------


def test_hash_is_sha256_hex_and_never_the_secret() -> None:
    secret = credentials.new_secret()
    hashed = credentials.hash_secret(secret)
    assert hashed == hashlib.sha256(secret.encode()).hexdigest()
    assert len(hashed) == 64
    assert secret not in hashed
    assert hashed == credentials.hash_secret(secret)
    assert hashed != credentials.hash_secret(secret + "x")


@pytest.mark.parametrize("odd", ["", "äöü€", "\x00", "\ud800"])
def test_hash_accepts_any_string(odd: str) -> None:
    assert len(credentials.hash_secret(odd)) == 64


def test_secret_matches_its_hash_only() -> None:
    secret = credentials.new_secret()
    stored = credentials.hash_secret(secret)
    assert credentials.secret_matches(secret, stored)
    assert not credentials.secret_matches(secret[:-1], stored)
    assert not credentials.secret_matches(credentials.new_secret(), stored)
    assert not credentials.secret_matches("", stored)
    assert not credentials.secret_matches(stored, stored)


def test_secret_matches_compares_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, str]] = []
    real = hmac.compare_digest

    def spy(a, b):  # type: ignore[no-untyped-def]
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(credentials.hmac, "compare_digest", spy)
    stored = credentials.hash_secret("key")
    assert credentials.secret_matches("key", stored)
    assert not credentials.secret_matches("other", stored)
    assert calls == [(stored, stored), (credentials.hash_secret("other"), stored)]
