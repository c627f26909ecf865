"""The OpenAPI 3.1 document of ``/api/v1``: the contract the schemathesis test holds the API to.

Enumerations are taken from the models and the core, so the document cannot drift from what the code
accepts and answers.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from pbvote import __version__
from pbvote.api.payloads import MAX_CODE_LENGTH, RECEIPT_MAX_LENGTH
from pbvote.api.queries import MAX_ID, SLUG_MAX
from pbvote.core.types import BallotKind, RuleName, TieBreak
from pbvote.core.validation import ViolationCode
from pbvote.processes.models import Eligibility, Phase

JSON = "application/json"

Schema = dict[str, Any]


def _ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def _values(enum_class: Any) -> list[str]:
    return [member.value for member in enum_class]


def _nullable(kind: str, **extra: Any) -> Schema:
    return {"type": [kind, "null"], **extra}


def _obj(required: list[str], properties: dict[str, Schema], **extra: Any) -> Schema:
    return {"type": "object", "required": required, "properties": properties, **extra}


def _answer(description: str, schema: str, headers: dict[str, Any] | None = None) -> Schema:
    answer: Schema = {"description": description, "content": {JSON: {"schema": _ref(schema)}}}
    if headers:
        answer["headers"] = headers
    return answer


AMOUNT = {"type": "integer", "minimum": 0, "description": "In the currency's smallest unit (øre)."}

SCHEMAS: dict[str, Schema] = {
    "Error": _obj(
        ["error"],
        {
            "error": _obj(
                ["status", "title", "message"],
                {
                    "status": {"type": "integer"},
                    "title": {"type": "string"},
                    "message": {"type": "string", "description": "For people, in their language."},
                    "code": {"type": "string", "description": "Stable, for programs (e.g. already_voted)."},
                },
            )
        },
    ),
    "Violation": _obj(
        ["code", "params", "message"],
        {
            "code": {"type": "string", "enum": _values(ViolationCode)},
            "params": {"type": "object", "description": "What the message names: project, limit, total …"},
            "message": {"type": "string"},
        },
    ),
    "BallotRefused": {
        "allOf": [
            _ref("Error"),
            _obj(
                ["violations"], {"violations": {"type": "array", "items": _ref("Violation"), "minItems": 1}}
            ),
        ]
    },
    "ProcessSummary": _obj(
        ["slug", "title", "phase"],
        {
            "slug": {"type": "string"},
            "title": {"type": "string"},
            "phase": {"type": "string", "enum": _values(Phase)},
        },
    ),
    "ProcessList": _obj(["processes"], {"processes": {"type": "array", "items": _ref("ProcessSummary")}}),
    "Budget": _obj(
        ["id", "name", "amount", "ballot_kind", "min_projects", "max_projects", "min_spent", "points"],
        {
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "district": _nullable("string", description="null: citywide."),
            "amount": AMOUNT,
            "ballot_kind": {"type": "string", "enum": _values(BallotKind)},
            "min_projects": {"type": "integer", "minimum": 0},
            "max_projects": _nullable("integer", description="Ranked: the longest ranking. null: no limit."),
            "min_spent": {**AMOUNT, "description": "Knapsack: the least a ballot must spend (øre)."},
            "points": _nullable("integer", description="Cumulative: the points to spread."),
            "max_points_per_project": _nullable("integer"),
            "rule": {"type": "string", "enum": _values(RuleName)},
            "rules_digest": _nullable("string", description="SHA-256 of the frozen rules."),
        },
    ),
    "Process": {
        "allOf": [
            _ref("ProcessSummary"),
            _obj(
                ["currency", "eligibility", "frozen", "rules_digest", "budgets"],
                {
                    "summary": {"type": "string"},
                    "currency": {"type": "string"},
                    "eligibility": {"type": "string", "enum": _values(Eligibility)},
                    "frozen": {"type": "boolean", "description": "The rules are frozen (from voting on)."},
                    "rules_digest": _nullable("string", description="SHA-256 of every budget's rules."),
                    "budgets": {"type": "array", "items": _ref("Budget")},
                },
            ),
        ]
    },
    "Project": _obj(
        ["id", "title", "cost", "category", "district"],
        {
            "id": {"type": "string", "description": "The project's public code: what a ballot names."},
            "title": {"type": "string"},
            "summary": {"type": "string"},
            "cost": AMOUNT,
            "category": _nullable("string"),
            "district": _nullable("string"),
            "exclusion_group": _nullable("string", description="At most one project of a group."),
        },
    ),
    "ProjectList": _obj(
        ["budget", "currency", "projects"],
        {
            "budget": {"type": "integer"},
            "currency": {"type": "string"},
            "projects": {"type": "array", "items": _ref("Project")},
        },
    ),
    "BallotSubmission": {
        **_obj(
            ["code"],
            {
                "code": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": MAX_CODE_LENGTH,
                    "pattern": r"\S",
                    "description": "The voting code; case, spaces and dashes do not matter.",
                },
                "projects": {
                    "type": "array",
                    "items": {"type": "string"},
                    "description": "Approval and knapsack: the chosen project ids (ranked: best first).",
                },
                "points": {
                    "type": "object",
                    "additionalProperties": {"type": "integer"},
                    "description": "Cumulative: points per project id (ranked: rank per project id).",
                },
                "ranking": {
                    "type": "array",
                    "items": {"type": "string"},
                    "description": "Ranked: project ids, best first.",
                },
            },
        ),
        "oneOf": [{"required": ["projects"]}, {"required": ["points"]}, {"required": ["ranking"]}],
        "description": "Other fields are ignored: costs and totals are computed on the server.",
    },
    "Winner": _obj(
        ["id", "title", "cost", "votes"],
        {
            "id": {"type": "string", "description": "The project's public code."},
            "title": {"type": "string"},
            "cost": AMOUNT,
            "votes": {"type": "integer", "minimum": 0, "description": "Votes, or points for points ballots."},
        },
    ),
    "Results": _obj(
        [
            "budget_id",
            "rule",
            "tie_break",
            "spent",
            "budget",
            "ballots",
            "ballots_digest",
            "rules_digest",
            "published_at",
            "winners",
        ],
        {
            "budget_id": {"type": "integer"},
            "rule": {"type": "string", "enum": _values(RuleName)},
            "tie_break": {"type": "string", "enum": _values(TieBreak)},
            "spent": {**AMOUNT, "description": "What the winners cost together (øre)."},
            "budget": {**AMOUNT, "description": "The money the count had (øre)."},
            "ballots": {"type": "integer", "minimum": 0, "description": "Ballots counted."},
            "ballots_digest": {"type": "string", "description": "SHA-256 of the counted ballots."},
            "rules_digest": _nullable("string", description="SHA-256 of the frozen rules counted by."),
            "published_at": {"type": "string", "format": "date-time"},
            "winners": {
                "type": "array",
                "items": _ref("Winner"),
                "description": "The winning projects in the order the rule selected them.",
            },
        },
    ),
    "Receipt": _obj(["receipt"], {"receipt": {"type": "string", "description": "Keep it to check later."}}),
    "ReceiptStatus": _obj(
        ["receipt", "counted", "budget"],
        {
            "receipt": {"type": "string"},
            "counted": {"type": "boolean", "description": "A ballot with this receipt is in the box."},
            "budget": _nullable("integer"),
        },
    ),
}

RETRY_AFTER = {
    "Retry-After": {"description": "When to try again (an HTTP date).", "schema": {"type": "string"}}
}


def _get(summary: str, parameters: list[Schema], ok: str, *, missing: str | None = None) -> Schema:
    responses: dict[str, Schema] = {"200": _answer("OK", ok)}
    if missing:
        responses["404"] = _answer(missing, "Error")
    return {"get": {"summary": summary, "parameters": parameters, "responses": responses}}


def _path_param(name: str, schema: Schema, description: str) -> Schema:
    return {"name": name, "in": "path", "required": True, "schema": schema, "description": description}


BUDGET_ID = _path_param("budget_id", {"type": "integer", "minimum": 1, "maximum": MAX_ID}, "A budget's id.")

CAST = {
    "summary": "Cast a ballot with a voting code",
    "description": (
        "The code proves the right to vote (processes with `code` eligibility only) and is used once. "
        "Send an unguessable Idempotency-Key (e.g. a random UUID) and repeat the same request with the "
        "same key after a timeout: you get the same receipt back. Wrong codes are rate-limited per "
        "address and budget. Messages follow Accept-Language (da, en)."
    ),
    "parameters": [
        BUDGET_ID,
        {
            "name": "Idempotency-Key",
            "in": "header",
            "required": False,
            "schema": {"type": "string", "pattern": "^[!-~]{16,200}$"},
            "description": "16 to 200 visible ASCII characters; the same key gives the same receipt.",
        },
    ],
    "requestBody": {"required": True, "content": {JSON: {"schema": _ref("BallotSubmission")}}},
    "responses": {
        "201": _answer("The ballot is stored.", "Receipt"),
        "200": _answer("A retry of a stored ballot (same Idempotency-Key): the same receipt.", "Receipt"),
        "400": _answer("Not JSON, not an object, no code, or not exactly one choice field.", "Error"),
        "403": _answer(
            "Voting is not open, the budget does not vote with codes, or the code is wrong.", "Error"
        ),
        "404": _answer("No public budget has this id.", "Error"),
        "409": _answer("This code has already voted (with another submission).", "Error"),
        "413": _answer("The body is larger than the limit (64 KB unless configured).", "Error"),
        "422": _answer("The ballot breaks the budget's rules; every violation is listed.", "BallotRefused"),
        "429": _answer("Too many submissions or wrong codes from this address.", "Error", RETRY_AFTER),
    },
}


@cache
def openapi_document() -> dict[str, Any]:
    """The whole document (built once; it depends on nothing but the code)."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "pbvote API",
            "version": __version__,
            "description": (
                "Participatory budgeting: processes, budgets, projects, secret ballots, receipts, results."
            ),
        },
        "servers": [{"url": "/api/v1"}],
        "paths": {
            "/processes": _get("Public processes, newest first", [], "ProcessList"),
            "/processes/{slug}": _get(
                "A process with its budgets and rules digest",
                [
                    _path_param(
                        "slug", {"type": "string", "maxLength": SLUG_MAX}, "The process's web address."
                    )
                ],
                "Process",
                missing="No public process has this slug.",
            ),
            "/budgets/{budget_id}/projects": _get(
                "The projects on a budget's ballot", [BUDGET_ID], "ProjectList", missing="No such budget."
            ),
            "/budgets/{budget_id}/ballots": {"post": CAST},
            "/budgets/{budget_id}/results": _get(
                "A budget's published result: winners in selection order",
                [BUDGET_ID],
                "Results",
                missing="No such budget, or its result is not published (or the voting has not closed).",
            ),
            "/receipts/{receipt}": _get(
                "Whether a receipt's ballot is in the ballot box",
                [
                    _path_param(
                        "receipt",
                        {"type": "string", "maxLength": RECEIPT_MAX_LENGTH},
                        "A receipt such as ABCD-EFGH-JKMN.",
                    )
                ],
                "ReceiptStatus",
                missing="Not a receipt code.",
            ),
            "/openapi.json": {
                "get": {
                    "summary": "This document",
                    "responses": {
                        "200": {
                            "description": "OpenAPI 3.1",
                            "content": {JSON: {"schema": {"type": "object"}}},
                        }
                    },
                }
            },
        },
        "components": {"schemas": SCHEMAS},
    }
