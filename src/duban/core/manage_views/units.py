"""System admin: the org tree — list every unit (inactive ones marked), add and edit units."""

from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from duban.core import services
from duban.core.choices import Role
from duban.core.errors import ServiceError
from duban.core.manage_forms import UnitForm
from duban.core.manage_views.common import actor
from duban.core.models import Unit
from duban.core.permissions import role_required


@role_required(Role.SYSADMIN)
def unit_list(request):
    """Every unit as a tree with its active head-count and sub-units; the inactive ones marked."""
    units = list(Unit.objects.annotate(people_count=Count("people", filter=Q(people__is_active=True))).order_by("sort_key"))
    counts = {"total": len(units), "inactive": sum(1 for u in units if not u.is_active)}
    return render(request, "manage/unit_list.html", {"units": units, "counts": counts})


@role_required(Role.SYSADMIN)
def unit_create(request):
    initial = {}
    if request.GET.get("parent", "").isdigit():
        initial["parent"] = Unit.objects.filter(pk=request.GET["parent"]).first()
    form = UnitForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.create_unit(actor(request), **form.cleaned_data)
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("已新增单位“%(name)s”。") % {"name": unit.name})
            return redirect("manage_unit_list")
    return render(request, "manage/unit_form.html", {"form": form, "unit": None})


@role_required(Role.SYSADMIN)
def unit_edit(request, pk):
    """Edit a unit; moving it under another parent or deactivating it is checked by the service."""
    unit = get_object_or_404(Unit.objects.select_related("parent"), pk=pk)
    initial = {name: getattr(unit, name) for name in services.UNIT_FIELDS}
    form = UnitForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.update_unit(actor(request), unit, **form.cleaned_data)
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("已保存单位“%(name)s”。") % {"name": unit.name})
            return redirect("manage_unit_list")
    ancestors = Unit.objects.filter(pk__in=[int(x) for x in unit.path.strip("/").split("/") if x]).exclude(pk=unit.pk).order_by("depth")
    stats = {
        "children": Unit.objects.filter(parent=unit).count(),
        "people": unit.people.filter(is_active=True).count(),
    }
    return render(request, "manage/unit_form.html", {"form": form, "unit": unit, "ancestors": ancestors, "stats": stats})
