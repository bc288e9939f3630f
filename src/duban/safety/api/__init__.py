"""/api/v1/hazards… and /api/v1/shifts…: the hazard ledger and the duty shifts over REST. Validate, scope, call the service, answer; no business logic.

Every read goes through `Hazard.objects.visible_to(user)` (a hazard outside the caller's scope is 404, as if it
did not exist); the list filters through the one `HazardFilter` and pages by keyset; every change is one call of
a `safety.services` function, whose refusals come back as 400/403/409 with the service's own message. Photos
are uploaded on the web pages (a phone in the field); the API reads them as attachment ids.
"""

from ninja import Router

router = Router(tags=["安全隐患"])

from duban.safety.api import duty, endpoints  # noqa: E402, F401
