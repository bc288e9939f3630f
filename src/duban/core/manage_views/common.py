"""What the admin pages share: the acting person, page size, where to go back to, the admin home."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

from duban.core.actor import Actor
from duban.core.choices import Role
from duban.core.permissions import denied_message

PAGE_SIZE = 50

# Each admin role's first page, in the order the nav shows them.
ADMIN_HOME = {
    Role.SYSADMIN: "manage_unit_list",
    Role.SECADMIN: "manage_role_list",
    Role.AUDITADMIN: "manage_audit_list",
}


def actor(request) -> Actor:
    return Actor.from_request(request)


def back_to(request, default: str):
    """Redirect to the `next` the form carried if it is a page of this site, else to `default`."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect(default)


def index(request):
    """/manage/: send each admin to the first page of their role."""
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    for role, url_name in ADMIN_HOME.items():
        if request.user.has_role(role):
            return redirect(url_name)
    raise PermissionDenied(denied_message(tuple(ADMIN_HOME)))
