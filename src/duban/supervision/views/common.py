"""What the supervision views share: who may open the 督办记录 pages."""

from __future__ import annotations

from duban.core.choices import Role
from duban.core.permissions import role_required

# The roles that issue, receive or oversee supervision (SPEC §1); each sees the actions of its own scope.
SUPERVISION_ROLES = (Role.PRINCIPAL, Role.LEADER, Role.SUPERVISION, Role.UNIT_HEAD, Role.LIAISON)

supervision_page = role_required(*SUPERVISION_ROLES)
