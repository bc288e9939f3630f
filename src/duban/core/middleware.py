"""Request id for the audit trail; the 90-day password change rule."""

import datetime as dt
import json

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from duban.core.actor import current_request_id, new_request_id
from duban.core.text import INVISIBLE, strip_invisible


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


FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


class InvisibleCharactersMiddleware:
    """Strips zero-width and bidi-control characters (duban.core.text.INVISIBLE) from every text a request
    brings — form fields (POST) and JSON bodies (the API) — before any form, schema or service sees it: one
    place for every form and endpoint, present and future. Passwords are left exactly as typed."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in {"POST", "PUT", "PATCH"}:
            if request.content_type == "application/json":
                self._clean_json(request)
            elif request.content_type in FORM_TYPES and not request.path.startswith("/api/v1/"):
                # The REST API takes JSON only: a form body sent there is its own to refuse, in JSON (reading
                # it here would turn a malformed one into Django's HTML 400).
                self._clean_form(request)
        return self.get_response(request)

    @staticmethod
    def _clean_form(request):
        data = request.POST
        if not any(INVISIBLE.search(v) for key, values in data.lists() if "password" not in key for v in values):
            return
        cleaned = data.copy()
        for key, values in data.lists():
            if "password" not in key:
                cleaned.setlist(key, [strip_invisible(v) for v in values])
        cleaned._mutable = False
        request.POST = cleaned

    @staticmethod
    def _clean_json(request):
        body = request.body
        try:
            text = body.decode()
        except UnicodeDecodeError:
            return
        if "\\u" not in text and not INVISIBLE.search(text):
            return
        try:
            data = json.loads(text)
        except ValueError:
            return  # the API answers a malformed body itself
        request._body = json.dumps(_strip_all(data), ensure_ascii=False).encode()


def _strip_all(value):
    if isinstance(value, str):
        return strip_invisible(value)
    if isinstance(value, list):
        return [_strip_all(v) for v in value]
    if isinstance(value, dict):
        return {k if "password" in k else strip_invisible(k): v if "password" in k else _strip_all(v) for k, v in value.items()}
    return value


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
