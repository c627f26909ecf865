"""Keyed hashes, voting codes and receipts: secrets that identify without revealing."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from flask import current_app

CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
CODE_LENGTH = 12  # 60 bits of entropy
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})


def _secret() -> bytes:
    """The key for voter hashes: PBVOTE_VOTER_KEY_SECRET, else the app's secret key."""
    configured = current_app.config.get("VOTER_KEY_SECRET") or current_app.config["SECRET_KEY"]
    return str(configured).encode("utf-8")


def keyed_hash(purpose: str, value: str) -> str:
    """HMAC-SHA256 of ``value`` for one purpose; without the key, the hash cannot be tried by guessing."""
    return hmac.new(_secret(), f"{purpose}\x1f{value}".encode(), hashlib.sha256).hexdigest()


def plain_hash(value: str) -> str:
    """SHA-256 for values that are random already (idempotency keys)."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def new_voting_code() -> str:
    """A random code like '7KQ2-M9XD-4HTR' (60 bits), easy to read aloud and type on a phone."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def normalise_code(text: str) -> str:
    """Uppercase, without spaces or dashes, with look-alike letters mapped to what they stand for."""
    return "".join(ch for ch in text.upper() if ch.isalnum()).translate(_CONFUSABLE)


def code_hash(text: str) -> str:
    """The stored form of a voting code."""
    return keyed_hash("voting-code", normalise_code(text))


def receipt_for(budget_id: int, retry_key: str) -> str:
    """The receipt for a submission: the same retry key always gives the same receipt, nothing else does."""
    digest = hmac.new(_secret(), f"receipt\x1f{budget_id}\x1f{retry_key}".encode(), hashlib.sha256).digest()
    text = base64.b32encode(digest[:10]).decode("ascii").translate(str.maketrans("ILOU", "1100"))
    return "-".join(text[i : i + 4] for i in range(0, 12, 4))


def new_ballot_id() -> str:
    """A random ballot id: 128 bits, no order, no time."""
    return secrets.token_hex(16)
