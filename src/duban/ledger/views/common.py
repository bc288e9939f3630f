"""What the ledger's views share: who may open them."""

from __future__ import annotations

from duban.core.choices import Role
from duban.core.manage_forms import submit  # noqa: F401 (the ledger pages answer a refusal as every kind does)
from duban.core.permissions import role_required

# The roles that work on the ledger (SPEC §1); the others have no business with tasks.
LEDGER_ROLES = (Role.PRINCIPAL, Role.LEADER, Role.SUPERVISION, Role.UNIT_HEAD, Role.LIAISON)

ledger_page = role_required(*LEDGER_ROLES)
