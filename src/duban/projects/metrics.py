"""The figures of the project ledger (SPEC §6): investment against plan, completion rates, the pipeline, 三个一批.

Rates are computed from the unrounded amounts and rounded only when shown (one decimal)."""

from __future__ import annotations

from decimal import Decimal


def rate(done, plan) -> Decimal | None:
    """完成率 in percent, unrounded (None without a plan)."""
    if not plan:
        return None
    return Decimal(done or 0) * 100 / Decimal(plan)
