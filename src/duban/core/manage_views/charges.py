"""System admin: leaders' charges (分管) — which units each county leader is in charge of."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from duban.core import services
from duban.core.choices import Role
from duban.core.errors import ServiceError
from duban.core.manage_forms import ChargeForm
from duban.core.manage_views.common import actor
from duban.core.models import LeaderCharge, RoleGrant, User
from duban.core.permissions import role_required

LEADER_ROLES = (Role.PRINCIPAL, Role.LEADER)


def _leaders():
    return User.objects.filter(is_active=True, role_grants__role__in=LEADER_ROLES).distinct().order_by("unit__sort_key", "id")


@role_required(Role.SYSADMIN)
def charge_list(request):
    """County leaders with the units in their charge; add a charge here (POST), remove one per row."""
    form = ChargeForm(request.POST or None, leaders=_leaders())
    if request.method == "POST" and form.is_valid():
        leader, unit = form.cleaned_data["leader"], form.cleaned_data["unit"]
        try:
            services.add_charge(actor(request), leader, unit)
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("已设置：%(leader)s分管%(unit)s。") % {"leader": leader, "unit": unit.name})
            return redirect("manage_charge_list")
    # Leaders, and anyone still holding a charge after losing the role (so the charge can be removed).
    leaders = (
        User.objects.filter(Q(role_grants__role__in=LEADER_ROLES) | Q(charges__isnull=False))
        .distinct()
        .select_related("unit")
        .prefetch_related(
            Prefetch("charges", queryset=LeaderCharge.objects.select_related("unit").order_by("unit__sort_key")),
            Prefetch("role_grants", queryset=RoleGrant.objects.order_by("role")),
        )
        .order_by("unit__sort_key", "id")
    )
    return render(request, "manage/charge_list.html", {"form": form, "leaders": leaders, "leader_roles": set(LEADER_ROLES)})


@role_required(Role.SYSADMIN)
@require_POST
def charge_remove(request, pk):
    charge = get_object_or_404(LeaderCharge.objects.select_related("leader", "unit"), pk=pk)
    try:
        services.remove_charge(actor(request), charge)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已取消：%(leader)s不再分管%(unit)s。") % {"leader": charge.leader, "unit": charge.unit.name})
    return redirect("manage_charge_list")
