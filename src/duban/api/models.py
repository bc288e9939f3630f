"""Personal access tokens for the REST API: only a SHA-256 hash is kept, the token itself is shown once."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from duban.core.models import User


class ApiTokenQuerySet(models.QuerySet):
    def usable(self, now=None):
        """Tokens that still open the API: not revoked, not expired (the owner's account is checked at use)."""
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True).filter(models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now))


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

    def status(self, now=None) -> str:
        """有效 / 已过期 / 已撤销, as the token page shows it."""
        now = now or timezone.now()
        if self.revoked_at:
            return "revoked"
        if self.expires_at and self.expires_at <= now:
            return "expired"
        return "active"
