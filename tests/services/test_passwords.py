"""Password hashing."""

from __future__ import annotations

from apidisco.services.passwords import hash_password, verify_password


def test_hashes_verify_and_differ_per_call() -> None:
    first = hash_password("correct horse", rounds=4)
    second = hash_password("correct horse", rounds=4)
    assert first != second
    assert first.startswith("$2b$04$")
    assert verify_password("correct horse", first)
    assert not verify_password("correct hors", first)


def test_long_passwords_and_foreign_hashes() -> None:
    long = "p" * 100
    assert verify_password(long, hash_password(long, rounds=4))
    assert not verify_password("anything", "not-a-bcrypt-hash")
