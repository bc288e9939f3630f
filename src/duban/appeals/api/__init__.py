"""/api/v1/appeals…: the enterprise appeals over REST. Validate, scope, call the service, answer; no business logic.

Every read goes through `Appeal.objects.visible_to(user)` (an appeal outside the caller's scope is 404, as if it
did not exist), the list filters through the one `AppealFilter` and pages by keyset, and every enterprise detail
goes through `appeals.privacy.shown` (a hidden identity is null for the handling unit, the phone masked for the
roles that read it masked). The 12345 hotline system pushes its tickets with a business-office account's token.
"""

from ninja import Router

router = Router(tags=["企业诉求"])

from duban.appeals.api import endpoints  # noqa: E402, F401
