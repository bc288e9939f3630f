"""排查 pages: the checklists the safety office keeps, an inspection taken on a phone (each failed line a hazard
in the same step), the inspection record and a place's history. Views only validate and call one service."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from duban.core.actor import Actor
from duban.core.manage_forms import submit
from duban.core.paging import BadCursor
from duban.safety import forms, selectors, services
from duban.safety.models import ChecklistItem, Sector
from duban.safety.policies import is_safety_office, may_report
from duban.safety.views.common import safety_page

PAGE_SIZE = 50


@safety_page
def checklist_list(request):
    """排查检查表 by sector; the safety office adds and retires lines."""
    office = is_safety_office(request.user)
    form = forms.ChecklistItemForm(request.POST or None, initial={"sector": request.GET.get("sector")})
    status = 200
    if request.method == "POST":
        if not office:
            raise PermissionDenied(_("排查检查表由县安委办维护。"))
        if "retire" in request.POST or "enable" in request.POST:
            item = get_object_or_404(ChecklistItem, pk=request.POST.get("retire") or request.POST.get("enable"))
            services.set_checklist_item_active(Actor.from_request(request), item, active="enable" in request.POST)
            return redirect(reverse("safety:checklist_list") + f"?sector={item.sector_id}")
        if form.is_valid():
            done, _conflict, status = submit(form, lambda: services.add_checklist_item(Actor.from_request(request), **form.cleaned_data))
            if done:
                messages.success(request, _("已添加检查项。"))
                return redirect(reverse("safety:checklist_list") + f"?sector={form.cleaned_data['sector'].pk}")
    sectors = list(Sector.objects.filter(active=True).order_by("sort", "id"))
    items = list(ChecklistItem.objects.filter(sector__active=True).order_by("sector__sort", "sort", "id"))
    by_sector = [(sector, [i for i in items if i.sector_id == sector.pk]) for sector in sectors]
    return render(request, "safety/checklist_list.html", {"by_sector": by_sector, "form": form, "office": office}, status=status)


@safety_page
def inspection_list(request):
    filterset, rows = selectors.inspections(request.user, request.GET)
    cursor_error = ""
    try:
        page = selectors.inspection_page(rows, request.GET.get("cursor"), PAGE_SIZE)
    except BadCursor as exc:
        cursor_error = str(exc)
        page = selectors.inspection_page(rows, None, PAGE_SIZE)
    return render(request, "safety/inspection_list.html", {
        "page": page, "form": filterset.form, "cursor_error": cursor_error, "may_inspect": may_report(request.user)})


@safety_page
def inspection_new(request):
    """Choose the sector, then answer its checklist line by line."""
    if not may_report(request.user):
        raise PermissionDenied(_("您的角色不能登记排查。"))
    sector = Sector.objects.filter(active=True, pk=request.GET.get("sector") or 0).first() if (request.GET.get("sector") or "").isdigit() else None
    if sector is None:
        return render(request, "safety/inspection_sector.html", {"sectors": Sector.objects.filter(active=True).order_by("sort", "id")})
    items = selectors.checklist(sector)
    form = forms.InspectionForm(request.POST or None, request.FILES or None, items=items,
                                initial={"inspected_on": services.today()})
    status = 200
    if request.method == "POST" and form.is_valid():
        made = {}
        data = form.cleaned_data

        def record():
            made["inspection"] = services.record_inspection(
                Actor.from_request(request), sector=sector, place=data["place"], place_unit=data["place_unit"], township=data["township"],
                inspected_on=data["inspected_on"], note=data["note"], answers=form.answers())

        done, _conflict, status = submit(form, record)
        if done:
            inspection = made["inspection"]
            hazards = sum(1 for r in inspection.results.all() if r.hazard_id)
            messages.success(request, _("排查已登记，%(n)s 项不合格登记为隐患。") % {"n": hazards})
            return redirect("safety:inspection_detail", pk=inspection.pk)
    return render(request, "safety/inspection_form.html", {"form": form, "sector": sector, "items": items}, status=status)


@safety_page
def inspection_detail(request, pk):
    inspection = selectors.inspection_for(request.user, pk)
    return render(request, "safety/inspection_detail.html", {
        "inspection": inspection, "results": selectors.results_of(inspection), "history": selectors.history_of(request.user, inspection)})
