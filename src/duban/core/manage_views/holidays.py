"""System admin: the holiday table (节假日调整) that overrides the chinese-calendar package."""

from __future__ import annotations

import datetime as dt

import chinese_calendar.constants
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from duban.core import services
from duban.core.choices import Role
from duban.core.errors import ServiceError
from duban.core.manage_forms import CalendarDayForm
from duban.core.manage_views.common import actor
from duban.core.models import CalendarDay
from duban.core.permissions import role_required


def package_years() -> tuple[int, int]:
    """First and last year the installed chinese-calendar package has the State Council's schedule for."""
    days = chinese_calendar.constants.holidays
    return min(days).year, max(days).year


def _year(request) -> int:
    value = request.GET.get("year", "")
    if value.isdigit() and 1900 <= int(value) <= 2200:
        return int(value)
    return timezone.localdate().year


@role_required(Role.SYSADMIN)
def holiday_list(request):
    """One year's entries; the form adds a date or changes the one already entered for it."""
    year = _year(request)
    initial = {}
    editing = None
    if request.GET.get("edit", "").isdigit():
        editing = CalendarDay.objects.filter(pk=request.GET["edit"]).first()
        if editing:
            initial = {"date": editing.date, "kind": editing.kind, "name": editing.name}
            year = editing.date.year
    form = CalendarDayForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            day = services.set_calendar_day(actor(request), data["date"], data["kind"], data["name"])
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("已保存：%(date)s %(kind)s %(name)s") % {"date": day.date.isoformat(), "kind": day.get_kind_display(), "name": day.name})
            return redirect(f"{reverse('manage_holiday_list')}?year={day.date.year}")
    first, last = package_years()
    this_year = timezone.localdate().year
    years = sorted({d.year for d in CalendarDay.objects.dates("date", "year")} | {this_year, this_year + 1, year})
    context = {
        "form": form,
        "editing": editing,
        "year": year,
        "years": years,
        "days": CalendarDay.objects.filter(date__gte=dt.date(year, 1, 1), date__lte=dt.date(year, 12, 31)).order_by("date"),
        "package_first": first,
        "package_last": last,
        "year_covered": first <= year <= last,
    }
    return render(request, "manage/holiday_list.html", context)


@role_required(Role.SYSADMIN)
@require_POST
def holiday_delete(request, pk):
    day = get_object_or_404(CalendarDay, pk=pk)
    label = f"{day.date.isoformat()} {day.get_kind_display()} {day.name}".strip()
    try:
        services.delete_calendar_day(actor(request), day)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已删除：%(day)s。该日期恢复按公共日历计算。") % {"day": label})
    return redirect(f"{reverse('manage_holiday_list')}?year={day.date.year}")
