"""Security admin: who holds which role; grant and revoke under the separation of duties (三员分立)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from duban.core import services
from duban.core.choices import ADMIN_ROLES, Role
from duban.core.errors import ServiceError
from duban.core.manage_forms import RoleGrantForm, RoleRevokeForm, RoleSearchForm
from duban.core.manage_views.common import PAGE_SIZE, actor
from duban.core.models import RoleGrant, User
from duban.core.permissions import role_required


def _people():
    return (
        User.objects.select_related("unit")
        .prefetch_related(Prefetch("role_grants", queryset=RoleGrant.objects.order_by("role")))
        .order_by("unit__sort_key", "id")
    )


@role_required(Role.SECADMIN)
def role_list(request):
    """Everyone with the roles they hold, searchable and filterable by role; a fixed number of queries per page."""
    form = RoleSearchForm(request.GET or None)
    people = _people()
    q = role = ""
    if form.is_valid():
        q, role = form.cleaned_data["q"].strip(), form.cleaned_data["role"]
    if q:
        people = people.filter(Q(username__icontains=q) | Q(full_name__contains=q) | Q(unit__name__contains=q))
    if role == "none":
        people = people.filter(role_grants__isnull=True)
    elif role:
        people = people.filter(role_grants__role=role)
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "manage/role_list.html", {"form": form, "page": page, "filtered": bool(q or role)})


def _person_page(request, person, *, grant_form=None, revoke_error="", status=200):
    held = person.roles
    grants = sorted(person.role_grants.all(), key=lambda g: list(Role).index(Role(g.role)))
    context = {
        "person": person,
        "grants": grants,
        "grant_form": grant_form or RoleGrantForm(held=held),
        "revoke_error": revoke_error,
        "admin_roles": {str(r) for r in ADMIN_ROLES},
    }
    return render(request, "manage/role_person.html", context, status=status)


def _get_person(pk) -> User:
    return get_object_or_404(_people(), pk=pk)


@role_required(Role.SECADMIN)
def role_person(request, pk):
    """One person's roles, with a button to revoke each and a form to grant another."""
    return _person_page(request, _get_person(pk))


@role_required(Role.SECADMIN)
@require_POST
def role_grant(request, pk):
    person = _get_person(pk)
    form = RoleGrantForm(request.POST, held=person.roles)
    if form.is_valid():
        role = form.cleaned_data["role"]
        try:
            services.grant_role(actor(request), person, role)
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("已授予%(name)s“%(role)s”角色。") % {"name": person, "role": Role(role).label})
            return redirect("manage_role_person", pk=person.pk)
    return _person_page(request, person, grant_form=form)


@role_required(Role.SECADMIN)
@require_POST
def role_revoke(request, pk):
    person = _get_person(pk)
    form = RoleRevokeForm(request.POST)
    if not form.is_valid():
        return _person_page(request, person, revoke_error=_("请选择要撤销的角色。"))
    role = form.cleaned_data["role"]
    try:
        services.revoke_role(actor(request), person, role)
    except ServiceError as exc:
        return _person_page(request, person, revoke_error=exc.message)
    messages.success(request, _("已撤销%(name)s的“%(role)s”角色。") % {"name": person, "role": Role(role).label})
    return redirect("manage_role_person", pk=person.pk)
