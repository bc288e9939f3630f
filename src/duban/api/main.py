"""The NinjaAPI behind /api/v1/: one instance, auth for every operation, each app's router mounted here."""

from __future__ import annotations

from importlib import import_module

from ninja import NinjaAPI, Router
from ninja.openapi.docs import Swagger

from duban.api import errors
from duban.api.auth import AUTH
from duban.api.schemas import ERRORS, Schema

# The apps whose `api` module has a `router`; a new app adds its module here and nowhere else.
APP_ROUTERS = (
    "duban.ledger.api",
    "duban.safety.api",
    "duban.appeals.api",
    "duban.notify.api",
    "duban.supervision.api",
    "duban.projects.api",
)

api = NinjaAPI(
    title="督办系统 API",
    version="1",
    description=(
        "县重点工作督办系统的 REST 接口。调用者只能看到和办理自己职责范围内的事项（与网页相同）。\n\n"
        "认证：在“我的访问令牌”页面创建个人访问令牌，请求时带上 `Authorization: Bearer <令牌>`；"
        "已登录的浏览器也可直接调用（写操作须带 `X-CSRFToken`）。\n\n"
        "分页：列表返回 `items` 和翻页游标 `next`/`prev`，把游标作为 `cursor` 参数传回即可翻页。\n\n"
        "并发：修改类操作带上读到的 `version`，若他人已先修改，返回 409，须重新读取后再操作。"
    ),
    auth=AUTH,
    urls_namespace="api-v1",
    # Served from ninja's own static files (ninja is in INSTALLED_APPS): county intranets have no CDN.
    # No validatorUrl: swagger-ui would otherwise send the schema to validator.swagger.io.
    docs=Swagger(settings={"validatorUrl": None, "persistAuthorization": False}),
)
errors.install(api)


class Me(Schema):
    id: int
    username: str
    name: str
    unit: str | None
    roles: list[str]
    role_labels: list[str]


me_router = Router(tags=["账号"])


@me_router.get("/me", response={200: Me, **ERRORS}, summary="当前调用者")
def me(request):
    """令牌或会话所属的人员、单位和角色。"""
    user = request.auth
    return {
        "id": user.pk, "username": user.username, "name": user.full_name or user.username,
        "unit": user.unit.name if user.unit_id else None,
        "roles": sorted(user.roles), "role_labels": [str(label) for label in user.role_labels],
    }


api.add_router("", me_router)
for module_name in APP_ROUTERS:
    api.add_router("", import_module(module_name).router)
