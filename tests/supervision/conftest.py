"""Supervision tests chase ledger tasks: the ledger's fixtures (a 2026 campaign, tasks made through its services)."""

from tests.ledger.conftest import campaign, make_task  # noqa: F401  (fixtures)
