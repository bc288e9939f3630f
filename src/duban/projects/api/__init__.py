"""/api/v1/projects…, /api/v1/procedures… and /api/v1/project-reports…: the project ledger over REST (SPEC §6).
Validate, scope, call the service, answer; no business logic.

Every read goes through `visible_to(user)` (a project, procedure or report outside the caller's scope is 404, as if
it did not exist); each list filters through its page's one FilterSet (`projects.selectors`) and pages by keyset;
every change is one call of a `projects.services` function, whose refusals come back as 400/403/409 with the
service's own message. Photos of the image progress are uploaded on the web form; the API reads them as
attachment ids.
"""

from ninja import Router

router = Router(tags=["重点项目"])

from duban.projects.api import endpoints  # noqa: E402, F401
