"""Request id for the audit trail; the 90-day password change rule."""

import datetime as dt

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from duban.core.actor import current_request_id, new_request_id


class ContentSecurityPolicyMiddleware:
    """Sends settings.DUBAN_CONTENT_SECURITY_POLICY on every response (pages, API, static files, errors)
    that does not set its own: everything duban serves is its own, so a browser need run nothing else."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = settings.DUBAN_CONTENT_SECURITY_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        if self.policy:
            response.headers.setdefault("Content-Security-Policy", self.policy)
        return response


class RequestIdMiddleware:
    """Gives every request an id (or keeps the proxy's X-Request-ID) that audit entries carry."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request.request_id = incoming[:32] if incoming.isalnum() else new_request_id()
        token = current_request_id.set(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(token)
        response["X-Request-ID"] = request.request_id
        return response


class PasswordExpiryMiddleware:
    """Sends a user whose password is older than PASSWORD_MAX_AGE_DAYS (or was reset) to change it first.

    A call of the REST API from the signed-in browser gets a 403 in JSON instead: a script cannot follow
    a redirect to a form. (/api/tokens/ is a page, and is redirected like every page.)
    """

    allowed = ("password_change", "logout", "login", "set_language")
    api_prefix = "/api/v1/"
    api_refusal = gettext_lazy("密码已过期或已被重置，请先在网页上修改密码。")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and password_expired(user) and not request.path.startswith(settings.STATIC_URL):
            allowed_paths = {reverse(name) for name in self.allowed}
            if request.path.startswith(self.api_prefix):
                return JsonResponse({"detail": self.api_refusal}, status=403, json_dumps_params={"ensure_ascii": False})
            if request.path not in allowed_paths:
                return redirect("password_change")
        return self.get_response(request)


def password_expired(user) -> bool:
    if user.must_change_password:
        return True
    days = settings.PASSWORD_MAX_AGE_DAYS
    if not days or user.password_changed_at is None:
        return False
    return timezone.now() - user.password_changed_at > dt.timedelta(days=days)
