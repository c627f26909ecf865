"""Read and write pabulib ``.pb`` files, the open format of real participatory-budgeting elections."""

from pbvote.core.pabulib.reader import parse_pabulib_bytes, parse_pabulib_text, read_pabulib
from pbvote.core.pabulib.schema import VOTE_TYPES
from pbvote.core.pabulib.writer import write_pabulib

__all__ = ["VOTE_TYPES", "parse_pabulib_bytes", "parse_pabulib_text", "read_pabulib", "write_pabulib"]
