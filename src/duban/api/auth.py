"""How an API caller proves who they are: a personal access token, or the browser's signed-in session."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja.errors import AuthenticationError, HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from duban.api import services

NO_CREDENTIALS = gettext_lazy("请先登录，或在请求头中提供访问令牌：Authorization: Bearer <令牌>。")


class TokenAuth(HttpBearer):
    """`Authorization: Bearer dbn_…`; a token that is wrong, revoked or expired is refused (401) with the reason."""

    def authenticate(self, request, token):
        try:
            user = services.authenticate(token)
        except services.TokenRefused as exc:
            raise AuthenticationError(401, str(exc)) from None
        # Services take an Actor built from request.user; a token request has no session user otherwise.
        request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The signed-in browser; unsafe methods must carry the CSRF token (X-CSRFToken), as forms do."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self):
        # csrf=True tells the docs page to send X-CSRFToken; the check itself is below, made only for a
        # signed-in caller (an anonymous POST is a 401, not a CSRF 403).
        super().__init__(csrf=True)

    def _get_key(self, request):
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request, key):
        user = request.user
        if not user.is_authenticated or not user.is_active:
            return None
        if request.method not in {"GET", "HEAD", "OPTIONS", "TRACE"} and check_csrf(request) is not None:
            raise HttpError(403, _("CSRF 校验失败：从浏览器调用接口时，请在 X-CSRFToken 请求头中带上页面的 CSRF 令牌。"))
        return user


AUTH = [TokenAuth(), SessionAuth()]
