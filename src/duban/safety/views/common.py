"""What the safety pages share: who may open them."""

from __future__ import annotations

from duban.core.choices import BUSINESS_ROLES
from duban.core.permissions import role_required

# Every business role finds hazards (SPEC §7: the ledger is everyone's, verification the safety office's); the
# three admins have no business data.
SAFETY_ROLES = tuple(sorted(BUSINESS_ROLES))
safety_page = role_required(*SAFETY_ROLES)
