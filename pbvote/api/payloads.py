"""Read a ballot submission's body and headers, refusing anything malformed before it reaches a service.

Only the top level is checked here: a JSON object with a voting ``code`` and exactly one of ``projects``,
``points`` or ``ranking`` of the right container type. What the containers hold (ids, numbers) is left
to ``pbvote.core.validation``, which reports each fault as a violation (422), never raising. Other
fields are ignored: costs and totals are always computed on the server.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from pbvote.ballots.keys import normalise_code
from pbvote.core.errors import DomainError
from pbvote.core.validation import BallotInput

MAX_BODY_BYTES = 64 * 1024
"""A ballot with every project of a large budget fits many times over; anything bigger is refused."""

MAX_CODE_LENGTH = 64
IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{16,200}")
CHOICE_FIELDS = ("projects", "points", "ranking")
RECEIPT_MAX_LENGTH = 40  # as people type it, with spaces or dashes
RECEIPT = re.compile(r"[A-Z0-9]{12}")
_RECEIPT_LOOKALIKES = str.maketrans({"I": "1", "L": "1", "O": "0", "U": "0"})


class BadPayload(DomainError):
    """The request is not a ballot submission at all (400); nothing is looked up or written."""

    code = "bad_request"


@dataclass(frozen=True)
class BallotRequest:
    """A submission as far as its shape goes: the code and the untrusted choice."""

    code: str
    choice: BallotInput
    as_ranking: bool  # sent as ``ranking`` (only ranked ballots take that)


def read_ballot_request(body: bytes) -> BallotRequest:
    """Parse the JSON body of a ballot submission.

    Raises:
        BadPayload: not UTF-8 JSON, not an object, no usable code, or not exactly one choice field of
            the right type.
    """
    data = _json_object(body)
    code = data.get("code")
    if not isinstance(code, str) or not code.strip():
        raise BadPayload(_l('Give the voting code as text in "code".'))
    if len(code) > MAX_CODE_LENGTH:
        raise BadPayload(_l("The voting code is too long to be a voting code."))
    given = [name for name in CHOICE_FIELDS if name in data]
    if len(given) != 1:
        raise BadPayload(_l('Send the choice in exactly one of "projects", "points" or "ranking".'))
    field = given[0]
    value = data[field]
    if field == "points":
        if not isinstance(value, dict):
            raise BadPayload(_l('"points" must be an object that maps project ids to numbers.'))
        return BallotRequest(code=code, choice=BallotInput(points=value), as_ranking=False)
    if not isinstance(value, list):
        raise BadPayload(_l('"%(field)s" must be a list of project ids.', field=field))
    return BallotRequest(code=code, choice=BallotInput(projects=tuple(value)), as_ranking=field == "ranking")


def _json_object(body: bytes) -> dict[str, object]:
    """The body as a JSON object; NaN, Infinity, bad UTF-8 and absurd nesting are refused, not raised."""
    try:
        data = json.loads(body.decode("utf-8"), parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise BadPayload(_l("The body is not valid JSON.")) from exc
    if not isinstance(data, dict):
        raise BadPayload(_l("The body must be a JSON object."))
    return data


def _refuse_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


def retry_key_for(code: str, idempotency_key: str | None) -> str:
    """The key a retry is recognised by: the client's Idempotency-Key, bound to the voting code.

    Binding it to the code keeps two voters who happen to send the same key apart, and means that
    neither the stored hash of the key nor the receipt can be linked to a voter without the code.
    Without a key, each submission is new (a random key).

    Raises:
        BadPayload: the key is not 16 to 200 visible ASCII characters.
    """
    if idempotency_key is None:
        idempotency_key = secrets.token_urlsafe(24)
    elif not IDEMPOTENCY_KEY.fullmatch(idempotency_key):
        raise BadPayload(
            _l("The Idempotency-Key header must be 16 to 200 visible characters, e.g. a random UUID.")
        )
    return f"api\x1f{normalise_code(code)}\x1f{idempotency_key}"


def read_receipt(text: str) -> str | None:
    """A receipt as printed ('ABCD-EFGH-JKMN') from what someone typed, or None when it cannot be one.

    Case, spaces and dashes do not matter, and letters that look like digits are read as the digits
    (receipts use neither I, L, O nor U).
    """
    if len(text) > RECEIPT_MAX_LENGTH:
        return None
    plain = "".join(ch for ch in text.upper() if ch.isalnum()).translate(_RECEIPT_LOOKALIKES)
    if not RECEIPT.fullmatch(plain):
        return None
    return "-".join(plain[i : i + 4] for i in range(0, 12, 4))
