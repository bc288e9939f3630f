"""Every API error as {"detail": "<中文说明>", "field": <name or null>}: services' refusals, 401, 404 and 422.

Messages are in the request's language (LocaleMiddleware: the django_language cookie, else Accept-Language;
Chinese by default)."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from ninja.errors import AuthenticationError, HttpError, ValidationError

from duban.core.errors import Conflict, NotAllowed, ServiceError
from duban.core.paging import BadCursor

# pydantic error type → Chinese (translated when read), formatted with the error's ctx
MESSAGES = {
    "missing": gettext_lazy("缺少必填项"),
    "extra_forbidden": gettext_lazy("不认识的字段，请删除（接口不接受未定义的字段）"),
    "int_parsing": gettext_lazy("应为整数"),
    "int_type": gettext_lazy("应为整数"),
    "int_from_float": gettext_lazy("应为整数"),
    "float_parsing": gettext_lazy("应为数字"),
    "bool_parsing": gettext_lazy("应为 true 或 false"),
    "bool_type": gettext_lazy("应为 true 或 false"),
    "string_type": gettext_lazy("应为文字"),
    "string_too_short": gettext_lazy("不能为空"),
    "string_too_long": gettext_lazy("太长：最多 {max_length} 个字"),
    "string_pattern_mismatch": gettext_lazy("格式不正确"),
    "date_parsing": gettext_lazy("应为日期，格式 YYYY-MM-DD"),
    "date_from_datetime_parsing": gettext_lazy("应为日期，格式 YYYY-MM-DD"),
    "date_from_datetime_inexact": gettext_lazy("应为日期，格式 YYYY-MM-DD"),
    "date_type": gettext_lazy("应为日期，格式 YYYY-MM-DD"),
    "datetime_parsing": gettext_lazy("应为日期时间（ISO 8601）"),
    "datetime_type": gettext_lazy("应为日期时间（ISO 8601）"),
    "greater_than": gettext_lazy("应大于 {gt}"),
    "greater_than_equal": gettext_lazy("应不小于 {ge}"),
    "less_than": gettext_lazy("应小于 {lt}"),
    "less_than_equal": gettext_lazy("应不大于 {le}"),
    "literal_error": gettext_lazy("应为以下之一：{expected}"),
    "enum": gettext_lazy("应为以下之一：{expected}"),
    "list_type": gettext_lazy("应为列表"),
    "too_long": gettext_lazy("最多 {max_length} 项"),
    "too_short": gettext_lazy("至少 {min_length} 项"),
    "dict_type": gettext_lazy("应为 JSON 对象"),
    "model_type": gettext_lazy("应为 JSON 对象"),
    "model_attributes_type": gettext_lazy("应为 JSON 对象"),
    "json_invalid": gettext_lazy("请求体不是合法的 JSON"),
    "json_type": gettext_lazy("请求体不是合法的 JSON"),
}
PARAM_SOURCES = {"body", "query", "path", "header", "cookie", "form", "file"}


def _field(loc) -> str | None:
    names = [str(part) for part in loc if isinstance(part, str) and part not in PARAM_SOURCES]
    # ninja puts the view's parameter name (e.g. "payload", "filters") after the source; the last name is the field
    return names[-1] if names else None


def _message(error: dict) -> str:
    kind = error.get("type", "")
    if kind == "value_error":  # our own validators raise Chinese messages
        text = str(error.get("msg", ""))
        return text.removeprefix("Value error, ")
    template = MESSAGES.get(kind, gettext_lazy("格式不正确"))
    try:
        return template.format(**(error.get("ctx") or {}))
    except (KeyError, IndexError):
        return str(template)


def validation_payload(errors: list[dict]) -> dict:
    """422 body: the first problem as detail/field, all of them under errors, each with a Chinese msg."""
    items = []
    for error in errors:
        field = _field(error.get("loc", ()))
        items.append({"loc": [str(p) for p in error.get("loc", ())], "field": field, "msg": _message(error), "type": error.get("type", "")})
    if not items:
        return {"detail": _("请求格式不正确。"), "field": None, "errors": []}
    first = items[0]
    label = _("“%(field)s”") % {"field": first["field"]} if first["field"] else _("请求")
    more = ngettext("（另有 %(count)s 处问题，见 errors）", "（另有 %(count)s 处问题，见 errors）", len(items) - 1) % {"count": len(items) - 1} if len(items) > 1 else ""
    return {"detail": _("%(label)s%(problem)s。%(more)s") % {"label": label, "problem": first["msg"].rstrip("。."), "more": more}, "field": first["field"], "errors": items}


def install(api) -> None:
    """Register the handlers on a NinjaAPI instance."""

    def service_error(request, exc: ServiceError):
        status = 409 if isinstance(exc, Conflict) else 403 if isinstance(exc, NotAllowed) else 400
        return api.create_response(request, {"detail": exc.message, "field": exc.field}, status=status)

    def bad_cursor(request, exc: BadCursor):
        return api.create_response(request, {"detail": str(exc), "field": "cursor"}, status=400)

    def validation_error(request, exc: ValidationError):
        return api.create_response(request, validation_payload(exc.errors), status=422)

    def authentication_error(request, exc: AuthenticationError):
        message = exc.message if exc.message != "Unauthorized" else _("请先登录，或在请求头中提供访问令牌：Authorization: Bearer <令牌>。")
        response = api.create_response(request, {"detail": message, "field": None}, status=401)
        response["WWW-Authenticate"] = 'Bearer realm="duban"'
        return response

    def http_error(request, exc: HttpError):
        message = {
            "Cannot parse request body": _("请求体不是合法的 JSON。"),
            "Forbidden": _("您无权执行此操作。"),
            "Not Found": _("未找到。"),
        }.get(exc.message, exc.message)
        return api.create_response(request, {"detail": message, "field": None}, status=exc.status_code)

    def not_found(request, exc: Http404):
        message = str(exc) if str(exc) and not str(exc).startswith("No ") else _("未找到，或不在您的职责范围内。")
        return api.create_response(request, {"detail": message, "field": None}, status=404)

    api.add_exception_handler(ServiceError, service_error)
    api.add_exception_handler(BadCursor, bad_cursor)
    api.add_exception_handler(ValidationError, validation_error)
    api.add_exception_handler(AuthenticationError, authentication_error)
    api.add_exception_handler(HttpError, http_error)
    api.add_exception_handler(Http404, not_found)
