"""The Method of Equal Shares (MES), plain or with completion add1 + greedy fill, exact and fast.

``rule.equal_shares`` is the entry point; ``rounds`` runs MES once at a given share, ``completion``
raises the shares (add1) skipping the ones proven not to change the outcome, ``explain`` holds the
explanation dataclasses.
"""

from pbvote.core.mes.explain import GroupPayment, MesExplanation, MesRound, NotFunded, Reason, Share
from pbvote.core.mes.rule import equal_shares

__all__ = ["GroupPayment", "MesExplanation", "MesRound", "NotFunded", "Reason", "Share", "equal_shares"]
