"""The JSON API (``/api/v1``): read processes, budgets and projects; cast a ballot with a voting code.

For kiosks, paper-entry tools and load tests. It uses no cookies for authentication (the voting code in
the body proves the right to vote), so it is exempt from CSRF; its contract is the OpenAPI document
served at ``/api/v1/openapi.json`` (``pbvote.api.openapi``).
"""
