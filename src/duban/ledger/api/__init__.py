"""/api/v1/tasks…: the ledger over REST. Validate, scope, call the service, answer; no business logic here.

Every read goes through `Task.objects.visible_to(user)` (a task outside the caller's scope is 404, as if it
did not exist), lists filter through the one `TaskFilter` and page by keyset, and every change is one call
of a `ledger.services` function, whose refusals come back as 400/403/409 with the service's own message.
"""

from ninja import Router

router = Router(tags=["重点工作台账"])

# The routes register on `router` when their modules load: reads first, then changes (the schema's order).
from duban.ledger.api import changing, reading  # noqa: E402, F401
