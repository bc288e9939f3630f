"""Creating, revoking and checking personal access tokens; every change is audited."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from duban.api.models import ApiToken
from duban.core import audit
from duban.core.actor import Actor
from duban.core.choices import Role
from duban.core.errors import NotAllowed, ServiceError
from duban.core.middleware import password_expired
from duban.core.services import locked_out_usernames, require_role

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
    """Make a token for the acting person; the plain token is returned here and never again.

    Every token expires: at `expires_at`, at most DUBAN_API_TOKEN_MAX_DAYS ahead (None: that far).
    """
    user = actor.user
    if user is None or not user.is_active:
        raise NotAllowed(_("只有已登录的在用账号可以创建访问令牌。"))
    name = (name or "").strip()
    if not name:
        raise ServiceError(_("请填写令牌用途，例如“台账同步脚本”。"), field="name")
    if len(name) > 60:
        raise ServiceError(_("令牌用途最多 60 个字。"), field="name")
    now = timezone.now()
    longest = longest_expiry(now)
    if expires_at is None:
        expires_at = longest
    if expires_at <= now:
        raise ServiceError(_("有效期应晚于现在。"), field="expires_at")
    if expires_at > longest:
        raise ServiceError(_("访问令牌最长有效 %(days)s 天，请选择 %(day)s 或更早的日期。") % {
            "days": settings.DUBAN_API_TOKEN_MAX_DAYS, "day": f"{timezone.localtime(longest):%Y-%m-%d}"}, field="expires_at")
    if ApiToken.objects.filter(user=user).usable(now).count() >= MAX_ACTIVE:
        raise ServiceError(_("每人最多保留 %(max)s 个有效令牌，请先撤销不再使用的令牌。") % {"max": MAX_ACTIVE})
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, token_hash=hash_token(raw), prefix=raw[:PREFIX_LENGTH],
                                    created_at=now, expires_at=expires_at)
    audit.record(actor, "api_token.create", token, after=audit.snapshot(token, AUDITED))
    return token, raw


@transaction.atomic
def revoke_token(actor: Actor, token: ApiToken) -> ApiToken:
    """Revoke one of the acting person's own tokens; it stops working at once."""
    if actor.user is not None and token.user_id != actor.user.pk:
        raise NotAllowed(_("只能撤销自己的访问令牌。"))
    before = audit.snapshot(token, AUDITED)
    now = timezone.now()
    if ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now) != 1:
        raise ServiceError(_("该令牌已经撤销。"))
    token.revoked_at = now
    audit.record(actor, "api_token.revoke", token, before=before, after=audit.snapshot(token, AUDITED))
    return token


def longest_expiry(now: dt.datetime) -> dt.datetime:
    """The latest moment a token made `now` may work until (DUBAN_API_TOKEN_MAX_DAYS)."""
    return now + dt.timedelta(days=settings.DUBAN_API_TOKEN_MAX_DAYS)


@transaction.atomic
def revoke_all_tokens(actor: Actor, person) -> int:
    """Revoke every token of `person` that still works (the security admin, or the person); returns how many."""
    if actor.user is None or actor.user.pk != person.pk:
        require_role(actor, Role.SECADMIN, action=_("撤销他人的访问令牌"))
    now = timezone.now()
    tokens = list(ApiToken.objects.select_for_update().filter(user=person, revoked_at__isnull=True).order_by("pk"))
    if not tokens:
        raise ServiceError(_("%(person)s没有未撤销的访问令牌。") % {"person": person})
    ApiToken.objects.filter(pk__in=[t.pk for t in tokens]).update(revoked_at=now)
    entries = []
    for token in tokens:
        before = audit.snapshot(token, AUDITED)
        token.revoked_at = now
        entries.append({"action": "api_token.revoke", "obj": token, "before": before, "after": audit.snapshot(token, AUDITED),
                        "message": f"撤销{person}的全部访问令牌（共 {len(tokens)} 个）"})
    audit.record_many(actor, entries)
    return len(tokens)


def authenticate(raw: str, now: dt.datetime | None = None):
    """The active user a bearer token belongs to, else TokenRefused with the reason (one read, a write a minute).

    A token never outlives what guards its owner's sign-in: it stops when the account is disabled or locked
    (django-axes), when the password it was made under is changed, reset or has expired, and at the latest
    DUBAN_API_TOKEN_MAX_DAYS after it was made, whatever expiry it carries (docs/adr/007-api-tokens.md).
    """
    raw = (raw or "").strip()
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 100:
        raise TokenRefused(_("访问令牌无效，请检查 Authorization 请求头（格式：Bearer dbn_…）。"))
    locked = locked_out_usernames().filter(username=OuterRef("user__username"))
    token = (ApiToken.objects.select_related("user__unit").annotate(owner_locked=Exists(locked))
             .filter(token_hash=hash_token(raw)).first())
    if token is None:
        raise TokenRefused(_("访问令牌无效，请检查 Authorization 请求头（格式：Bearer dbn_…）。"))
    now = now or timezone.now()
    if token.revoked_at is not None:
        raise TokenRefused(_("该访问令牌已撤销，请在“我的访问令牌”页面另建一个。"))
    expires_at = token.effective_expiry()
    if expires_at <= now:
        local = timezone.localtime(expires_at)
        raise TokenRefused(_("该访问令牌已于 %(at)s 过期，请在“我的访问令牌”页面另建一个。") % {"at": f"{local:%Y-%m-%d %H:%M}"})
    user = token.user
    if not user.is_active:
        raise TokenRefused(_("令牌所属账号已停用，访问令牌不能再使用。"))
    if token.owner_locked:
        raise TokenRefused(_("令牌所属账号因多次输错密码已被锁定，锁定期间访问令牌不能使用；解锁后即恢复。"))
    if token.outlived_password():
        raise TokenRefused(_("令牌所属账号的密码在创建该令牌之后已修改或重置，令牌随之失效，请在“我的访问令牌”页面另建一个。"))
    if password_expired(user):
        raise TokenRefused(_("令牌所属账号的密码已过期或须修改，请先在网页上修改密码，再另建访问令牌。"))
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        stale = Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - TOUCH_EVERY)
        ApiToken.objects.filter(stale, pk=token.pk).update(last_used_at=now)
    return token.user
