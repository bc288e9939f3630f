"""Sign-in, sign-out and failed sign-in go to the audit trail.

Django reports these events only through its auth signals, so this is the one place signals are used;
business changes are audited inside their service functions, never here.
"""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from duban.core import audit
from duban.core.actor import Actor, client_ip
from duban.core.choices import AuditOutcome


@receiver(user_logged_in)
def _signed_in(sender, request, user, **kwargs):
    audit.record(Actor(user=user, request_id=getattr(request, "request_id", ""), ip=client_ip(request)), "auth.login", user)


@receiver(user_logged_out)
def _signed_out(sender, request, user, **kwargs):
    if user is not None:
        audit.record(Actor(user=user, request_id=getattr(request, "request_id", ""), ip=client_ip(request)), "auth.logout", user)


@receiver(user_login_failed)
def _sign_in_failed(sender, credentials, request=None, **kwargs):
    from duban.core.models import User

    username = (credentials or {}).get("username", "")[:150]
    known = User.objects.filter(username=username).first()
    actor = Actor(
        user=None,
        system_name=f"登录名 {username}",
        request_id=getattr(request, "request_id", "") if request else "",
        ip=client_ip(request) if request else "",
    )
    audit.record(
        actor, "auth.login_failed", known, outcome=AuditOutcome.FAILURE,
        object_type="core.User", object_id=str(known.pk) if known else "", object_repr=username,
        message=_failure_reason(request, known),
    )


def _failure_reason(request, known) -> str:
    """Why the sign-in failed, from what django-axes left on the request (its receiver runs before this one:
    axes comes first in INSTALLED_APPS): counted failures carry the count, a try refused for the lock does not."""
    from django.conf import settings

    from duban.core.forms import lockout_minutes

    locked = getattr(request, "axes_locked_out", False)
    counted = getattr(request, "axes_failures_since_start", None) is not None
    if locked and not counted:
        return "账号已锁定，拒绝登录"
    reason = "密码错误" if known else "登录名不存在"
    if locked:
        reason += f"，已连续 {settings.AXES_FAILURE_LIMIT} 次，账号锁定 {lockout_minutes()} 分钟"
    return reason
