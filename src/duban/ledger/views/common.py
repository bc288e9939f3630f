"""What the ledger's views share: who may open them."""

from __future__ import annotations

from collections.abc import Callable

from duban.core.choices import Role
from duban.core.errors import Conflict, NotAllowed, ServiceError
from duban.core.permissions import role_required

# The roles that work on the ledger (SPEC §1); the others have no business with tasks.
LEDGER_ROLES = (Role.PRINCIPAL, Role.LEADER, Role.SUPERVISION, Role.UNIT_HEAD, Role.LIAISON)

ledger_page = role_required(*LEDGER_ROLES)



def submit(form, write: Callable[[], object]) -> tuple[bool, str, int]:
    """Run a service write for a valid form: (done, conflict message, HTTP status). A refusal lands on the form
    (403 when the user may not, 200 for a field or state error); a lost update answers 409 with its message."""
    try:
        write()
    except Conflict as exc:
        return False, exc.message, 409
    except NotAllowed as exc:
        form.add_service_error(exc)
        return False, "", 403
    except ServiceError as exc:
        form.add_service_error(exc)
        return False, "", 200
    return True, "", 200
