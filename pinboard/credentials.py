"""Secrets a workshop hands out: join codes, moderator/projector keys, participant tokens.

Keys and tokens carry 192 bits from `secrets` and are stored only as SHA-256 hashes: they are
random, so a fast hash is enough, and a leaked database holds nothing that lets anyone in.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

# No look-alikes: no 0/O, 1/I/L, 5/S, 2/Z, 8/B.
JOIN_CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
JOIN_CODE_LENGTH = 6
_JOIN_CODE = re.compile(f"[{JOIN_CODE_ALPHABET}]{{{JOIN_CODE_LENGTH}}}")
_WORKSHOP_ID = re.compile(r"[A-Za-z0-9_-]{1,24}")


def new_secret() -> str:
    return secrets.token_urlsafe(24)


def derive_secret(moderator_key: str, purpose: str) -> str:
    """A key for a lesser role (e.g. the read-only projector), derived from the moderator key.

    Only hashes are stored, so the server could not show a projector link again later; deriving
    it lets the moderator, who presents the moderator key, always get it back.
    """
    digest = hmac.new(moderator_key.encode(), purpose.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode().rstrip("=")


def new_workshop_id() -> str:
    return secrets.token_urlsafe(9)


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def normalise_join_code(code: str) -> str:
    return "".join(code.split()).upper()


def is_join_code(code: str) -> bool:
    """Looks like a join code; anything else never reaches a database query."""
    return _JOIN_CODE.fullmatch(code) is not None


def is_workshop_id(value: str) -> bool:
    return _WORKSHOP_ID.fullmatch(value) is not None


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def secret_matches(secret: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_secret(secret), stored_hash)
