"""Password hashing: argon2id with pwdlib's recommended parameters; hashes made with older
parameters are upgraded on the next successful login."""

from __future__ import annotations

from pwdlib import PasswordHash

__all__ = ["MIN_PASSWORD_LENGTH", "check_password_rules", "hash_password", "verify_password"]

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024  # argon2 hashes anything, but a megabyte "password" is a denial of service
_HASHER = PasswordHash.recommended()
_NO_ACCOUNT_HASH = _HASHER.hash("a password no account has")


def check_password_rules(password: str) -> str | None:
    """Why `password` is not acceptable, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"a password needs at least {MIN_PASSWORD_LENGTH} characters"
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"a password has at most {MAX_PASSWORD_LENGTH} characters"
    return None


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(password: str, stored: str | None) -> tuple[bool, str | None]:
    """(matches, a new hash to store or None). With no stored hash (no such account, an
    invitation not yet accepted) a hash is still checked, so timing tells nothing."""
    if len(password) > MAX_PASSWORD_LENGTH:
        return False, None
    if stored is None:
        _HASHER.verify(password, _NO_ACCOUNT_HASH)
        return False, None
    return _HASHER.verify_and_update(password, stored)
