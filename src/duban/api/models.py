"""Personal access tokens for the REST API: only a SHA-256 hash is kept, the token itself is shown once."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from duban.core.models import User


class ApiTokenQuerySet(models.QuerySet):
    def usable(self, now=None):
        """Tokens that may still open the API: not revoked, not expired, made under the owner's current password
        (whether the account is active, locked or its password expired is checked at use)."""
        now = now or timezone.now()
        oldest = now - dt.timedelta(days=settings.DUBAN_API_TOKEN_MAX_DAYS)
        return self.filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now), revoked_at__isnull=True, created_at__gt=oldest,
        ).filter(Q(user__password_changed_at__isnull=True) | Q(created_at__gte=F("user__password_changed_at")))


class ApiToken(models.Model):
    """A personal access token (访问令牌): a person's scripts call /api/v1/ with that person's scope."""

    user = models.ForeignKey(User, verbose_name=_("所属人员"), on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("用途"), max_length=60)
    # sha256(token) in hex: a stolen database does not give working tokens.
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The first characters of the token, so that its owner can tell tokens apart ("dbn_Ab3x…").
    prefix = models.CharField(_("令牌前缀"), max_length=16, editable=False)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)
    # Written at most once a minute (see services.authenticate): no write on every request.
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    expires_at = models.DateTimeField(_("有效期至"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("访问令牌")
        verbose_name_plural = _("访问令牌")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.name}（{self.prefix}…）"

    def effective_expiry(self) -> dt.datetime:
        """When the token stops: its own expiry, but never later than DUBAN_API_TOKEN_MAX_DAYS after it was made
        (tokens made without expiry before the cap, or under a longer cap, end then too)."""
        cap = self.created_at + dt.timedelta(days=settings.DUBAN_API_TOKEN_MAX_DAYS)
        return min(self.expires_at, cap) if self.expires_at else cap

    def outlived_password(self) -> bool:
        """Made before its owner's password was last changed or reset: changing the password ends every token."""
        changed = self.user.password_changed_at
        return changed is not None and self.created_at < changed

    def status(self, now=None) -> str:
        """有效 / 已过期 / 已撤销 / 密码已改, as the token pages show it."""
        now = now or timezone.now()
        if self.revoked_at:
            return "revoked"
        if self.effective_expiry() <= now:
            return "expired"
        if self.outlived_password():
            return "password"
        return "active"
