"""Password hashing with the standard library's scrypt (no extra dependency)."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os

_N, _R, _P = 2**14, 8, 1


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


@functools.cache
def _dummy_hash() -> str:
    return hash_password(base64.b64encode(os.urandom(24)).decode())


def verify_password(password: str, stored: str | None) -> bool:
    """Constant work whatever ``stored`` is: an unknown user or one without a password costs
    the same scrypt as a wrong password, so timing does not tell which e-mails exist."""
    hashed = stored if stored is not None and stored.startswith("scrypt$") else None
    _, salt_b64, digest_b64 = (hashed or _dummy_hash()).split("$", 2)
    salt = base64.b64decode(salt_b64)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return hmac.compare_digest(digest, base64.b64decode(digest_b64)) and hashed is not None


# Refused as passwords whatever their length (with the e-mail address and the user's name).
COMMON_PASSWORDS = frozenset(
    {
        "callreview-demo",
        "password1234",
        "password12345",
        "password123456",
        "passwordpassword",
        "123456789012",
        "1234567890123",
        "12345678901234",
        "qwertyuiopas",
        "qwerty123456",
        "qwertyqwerty",
        "iloveyou1234",
        "letmein12345",
        "welcome12345",
        "welcome123456",
        "changeme1234",
        "administrator",
        "admin1234567",
        "abc123456789",
        "aaaaaaaaaaaa",
        "111111111111",
        "000000000000",
        "correcthorsebatterystaple",
        "trustno11234",
        "football1234",
        "baseball1234",
        "sunshine1234",
        "princess1234",
        "monkey123456",
        "dragon123456",
    }
)
MIN_PASSWORD_CHARS = 12


def password_problem(password: str, *, email: str | None = None, name: str | None = None) -> str:
    """Why ``password`` is refused ('' when it is acceptable)."""
    if len(password) < MIN_PASSWORD_CHARS:
        return f"password must have at least {MIN_PASSWORD_CHARS} characters"
    if len(password) > 1000:
        return "password must have at most 1000 characters"
    folded = password.casefold()
    for own in (email, email.split("@", 1)[0] if email else None, name):
        if own and folded == own.casefold():
            return "password must not be the e-mail address or the name"
    if folded in COMMON_PASSWORDS or len(set(folded)) < 4:
        return "password is too common: choose a longer phrase of your own"
    return ""
