"""Voting: the booth, eligibility, one person one vote, secret ballots with receipts, paper ballots."""
