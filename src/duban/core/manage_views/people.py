"""System admin: accounts — list and find people, open accounts, edit them, reset passwords, unlock."""

from __future__ import annotations

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import BooleanField, ExpressionWrapper, Max, Prefetch, Q, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from duban.core import services
from duban.core.choices import Role
from duban.core.errors import ServiceError
from duban.core.manage_forms import PeopleSearchForm, PersonCreateForm, PersonEditForm, ResetPasswordForm
from duban.core.manage_views.common import PAGE_SIZE, actor, back_to
from duban.core.models import RoleGrant, User
from duban.core.permissions import role_required

EDIT_FIELDS = ("full_name", "unit", "title", "phone", "email", "is_active")


def people_with_lock_state():
    """Every account with its unit, roles and whether django-axes locks it now (one uncorrelated subquery)."""
    locked = ExpressionWrapper(Q(username__in=services.locked_out_usernames()), output_field=BooleanField())
    return (
        User.objects.select_related("unit")
        .prefetch_related(Prefetch("role_grants", queryset=RoleGrant.objects.order_by("role")))
        .annotate(is_locked=locked)
        .order_by("unit__sort_key", "id")
    )


@role_required(Role.SYSADMIN)
def person_list(request):
    """All accounts, active or not, searchable; a fixed number of queries per page."""
    form = PeopleSearchForm(request.GET or None)
    people = people_with_lock_state()
    q = status = ""
    if form.is_valid():
        q, status = form.cleaned_data["q"].strip(), form.cleaned_data["status"]
    if q:
        people = people.filter(
            Q(username__icontains=q) | Q(full_name__contains=q) | Q(title__contains=q) | Q(unit__name__contains=q) | Q(phone__contains=q)
        )
    if status == "active":
        people = people.filter(is_active=True)
    elif status == "inactive":
        people = people.filter(is_active=False)
    elif status == "locked":
        people = people.filter(username__in=services.locked_out_usernames())
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "manage/person_list.html", {"form": form, "page": page, "filtered": bool(q or status)})


@role_required(Role.SYSADMIN)
def person_create(request):
    form = PersonCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        password = data.pop("password")
        data.pop("password2")
        try:
            person = services.create_person(actor(request), password=password, **data)
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("已为%(name)s开通账号“%(username)s”。请把初始密码告知本人，并由安全管理员授予角色。")
                             % {"name": person.full_name, "username": person.username})
            return redirect("manage_person_edit", pk=person.pk)
    return render(request, "manage/person_form.html", {"form": form})


def _get_person(pk) -> User:
    return get_object_or_404(people_with_lock_state(), pk=pk)


def _person_page(request, person, *, edit_form=None, reset_form=None, status=200):
    # The same window django-axes counts in: failures older than the cool-off no longer matter.
    recent = AccessAttempt.objects.filter(username=person.username, attempt_time__gte=timezone.now() - get_cool_off())
    failures = recent.aggregate(n=Sum("failures_since_start"), last=Max("attempt_time"))
    context = {
        "person": person,
        "edit_form": edit_form or PersonEditForm(initial={f: getattr(person, f) for f in EDIT_FIELDS}, current_unit=person.unit),
        "reset_form": reset_form or ResetPasswordForm(),
        "failures": failures["n"] or 0,
        "last_failure": failures["last"],
        "failure_limit": settings.AXES_FAILURE_LIMIT,
    }
    return render(request, "manage/person_detail.html", context, status=status)


@role_required(Role.SYSADMIN)
def person_edit(request, pk):
    """One account: its details, lock state, a temporary password and the unlock button."""
    person = _get_person(pk)
    if request.method != "POST":
        return _person_page(request, person)
    form = PersonEditForm(request.POST, current_unit=person.unit)
    if form.is_valid():
        try:
            services.update_person(actor(request), person, **form.cleaned_data)
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("已保存%(name)s的信息。") % {"name": form.cleaned_data["full_name"]})
            return redirect("manage_person_edit", pk=person.pk)
    return _person_page(request, person, edit_form=form)


@role_required(Role.SYSADMIN)
@require_POST
def person_reset_password(request, pk):
    person = _get_person(pk)
    form = ResetPasswordForm(request.POST)
    if form.is_valid():
        try:
            services.reset_password(actor(request), person, form.cleaned_data["password"])
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("已为%(name)s设置临时密码，本人下次登录时须修改；其已有的访问令牌全部失效。") % {"name": person})
            return redirect("manage_person_edit", pk=person.pk)
    return _person_page(request, person, reset_form=form)


@role_required(Role.SYSADMIN)
@require_POST
def person_unlock(request, pk):
    """Lift a lockout (a button: a refusal comes back as an error message on the page it was pressed on)."""
    person = _get_person(pk)
    try:
        services.unlock_account(actor(request), person)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已解锁%(name)s的账号（%(username)s），可以重新登录。") % {"name": person, "username": person.username})
    return back_to(request, default=reverse("manage_person_edit", args=[person.pk]))
