"""Creating, revoking and checking personal access tokens; every change is audited."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from duban.api.models import ApiToken
from duban.core import audit
from duban.core.actor import Actor
from duban.core.errors import NotAllowed, ServiceError

TOKEN_PREFIX = "dbn_"
PREFIX_LENGTH = 12  # "dbn_" and 8 random characters: enough to tell tokens apart, useless to guess with
MAX_ACTIVE = 20
# last_used_at is a hint for the owner ("is this token still in use?"), not an access log: writing it
# on every request would make every API read a database write.
TOUCH_EVERY = dt.timedelta(minutes=1)
AUDITED = ("user", "name", "prefix", "created_at", "expires_at", "revoked_at")


class TokenRefused(Exception):
    """The bearer token does not open the API; the message (Chinese) says why."""


def hash_token(raw: str) -> str:
    """What is stored for a token: its SHA-256 in hex (tokens are random, so no salt or slow hash is needed)."""
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def create_token(actor: Actor, *, name: str, expires_at: dt.datetime | None = None) -> tuple[ApiToken, str]:
    """Make a token for the acting person; the plain token is returned here and never again."""
    user = actor.user
    if user is None or not user.is_active:
        raise NotAllowed("只有已登录的在用账号可以创建访问令牌。")
    name = (name or "").strip()
    if not name:
        raise ServiceError("请填写令牌用途，例如“台账同步脚本”。", field="name")
    if len(name) > 60:
        raise ServiceError("令牌用途最多 60 个字。", field="name")
    now = timezone.now()
    if expires_at is not None and expires_at <= now:
        raise ServiceError("有效期应晚于现在。", field="expires_at")
    if ApiToken.objects.filter(user=user).usable(now).count() >= MAX_ACTIVE:
        raise ServiceError(f"每人最多保留 {MAX_ACTIVE} 个有效令牌，请先撤销不再使用的令牌。")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, token_hash=hash_token(raw), prefix=raw[:PREFIX_LENGTH],
                                    created_at=now, expires_at=expires_at)
    audit.record(actor, "api_token.create", token, after=audit.snapshot(token, AUDITED))
    return token, raw


@transaction.atomic
def revoke_token(actor: Actor, token: ApiToken) -> ApiToken:
    """Revoke one of the acting person's own tokens; it stops working at once."""
    if actor.user is not None and token.user_id != actor.user.pk:
        raise NotAllowed("只能撤销自己的访问令牌。")
    before = audit.snapshot(token, AUDITED)
    now = timezone.now()
    if ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now) != 1:
        raise ServiceError("该令牌已经撤销。")
    token.revoked_at = now
    audit.record(actor, "api_token.revoke", token, before=before, after=audit.snapshot(token, AUDITED))
    return token


def authenticate(raw: str, now: dt.datetime | None = None):
    """The active user a bearer token belongs to, else TokenRefused with the reason (one read, a write a minute)."""
    raw = (raw or "").strip()
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 100:
        raise TokenRefused("访问令牌无效，请检查 Authorization 请求头（格式：Bearer dbn_…）。")
    token = ApiToken.objects.select_related("user__unit").filter(token_hash=hash_token(raw)).first()
    if token is None:
        raise TokenRefused("访问令牌无效，请检查 Authorization 请求头（格式：Bearer dbn_…）。")
    now = now or timezone.now()
    if token.revoked_at is not None:
        raise TokenRefused("该访问令牌已撤销，请在“我的访问令牌”页面另建一个。")
    if token.expires_at is not None and token.expires_at <= now:
        local = timezone.localtime(token.expires_at)
        raise TokenRefused(f"该访问令牌已于 {local:%Y-%m-%d %H:%M} 过期，请在“我的访问令牌”页面另建一个。")
    if not token.user.is_active:
        raise TokenRefused("令牌所属账号已停用，访问令牌不能再使用。")
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        stale = Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - TOUCH_EVERY)
        ApiToken.objects.filter(stale, pk=token.pk).update(last_used_at=now)
    return token.user
