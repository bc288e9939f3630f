"""Who may open a page: `role_required(*roles)` puts a view behind one or more roles (SPEC §1).

Pages only check the role; what a role may *see* is still decided by each model's `visible_to(user)`,
and what it may *change* by the service it calls.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from duban.core.choices import Role


def role_required(*roles: str):
    """Let in signed-in, active users holding one of `roles`; others get 403, anonymous users the sign-in page."""
    if not roles:
        raise ValueError("role_required needs at least one role")

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user.is_active or not user.has_role(*roles):
                raise PermissionDenied(denied_message(roles))
            return view(request, *args, **kwargs)

        wrapped.required_roles = frozenset(roles)
        return wrapped

    return decorator


def denied_message(roles) -> str:
    """"您没有权限访问此页面（需要系统管理员角色）", naming every role that would do."""
    labels = _("或").join(str(Role(r).label) for r in roles)
    return _("您没有权限访问此页面（需要%(roles)s角色）") % {"roles": labels}
