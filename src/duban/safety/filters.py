"""The FilterSets of the safety ledgers: the hazard ledger's (the list page and the API filter through it, the
export will too) and the duty shifts'."""

import django_filters
from django import forms
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from duban.core.choices import UnitKind
from duban.core.manage_forms import ManageForm
from duban.core.models import Unit
from duban.core.paging import Keyset
from duban.ledger.forms import DateInput
from duban.matters.choices import Light
from duban.safety.choices import OPEN_STATES, HazardLevel, HazardState, ShiftState
from duban.safety.models import DutyPost, Hazard, Inspection, Sector, Shift, normalize_place

STATE_CHOICES = [("open", _("未销号（全部在办）")), *HazardState.choices]
TIMELINESS_CHOICES = [("due", _("应按期完成")), ("on_time", _("按期完成")), ("late", _("未按期完成"))]


def timeliness(on) -> dict[str, Q]:
    """按期整改 on the day `on` (SPEC §7): a hazard is due once its rectification is done (申请验收 or struck off)
    or its deadline has passed; on time if it was done by its deadline (当场整改 always is); late otherwise.
    Done is the unit's last 申请验收 (completed_on), not the office's verification."""
    done = Q(completed_on__isnull=False)
    on_time = done & (Q(rectified_on_spot=True) | Q(due_date__isnull=True) | Q(completed_on__lte=models.F("due_date")))
    due = done | Q(due_date__lt=on)
    return {"due": due, "on_time": on_time, "late": due & ~on_time}
KEYSET = Keyset(["due_sort", "id"])


class HazardFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("关键词"), method="filter_text", max_length=50)
    sector = django_filters.ModelChoiceFilter(label=_("行业领域"), queryset=Sector.objects.all())
    level = django_filters.ChoiceFilter(label=_("隐患等级"), choices=HazardLevel.choices)
    township = django_filters.ModelChoiceFilter(label=_("属地乡镇"), queryset=Unit.objects.filter(kind=UnitKind.TOWNSHIP))
    lead_unit = django_filters.ModelChoiceFilter(label=_("整改责任单位"), queryset=Unit.objects.all())
    state = django_filters.MultipleChoiceFilter(label=_("状态"), choices=STATE_CHOICES, method="filter_state",
                                                widget=forms.CheckboxSelectMultiple)
    light = django_filters.MultipleChoiceFilter(label=_("亮灯"), choices=Light.choices, widget=forms.CheckboxSelectMultiple)
    returned = django_filters.NumberFilter(label=_("退回次数不少于"), field_name="return_count", lookup_expr="gte", min_value=1)
    found_from = django_filters.DateFilter(label=_("排查时间自"), field_name="found_on", lookup_expr="gte",
                                           widget=DateInput())
    found_to = django_filters.DateFilter(label=_("排查时间至"), field_name="found_on", lookup_expr="lte",
                                         widget=DateInput())
    timeliness = django_filters.ChoiceFilter(label=_("按期整改"), choices=TIMELINESS_CHOICES, method="filter_timeliness")
    # Ticked: the recurrences only. Not ticked (a checkbox then reads False, never "empty"): every hazard.
    recurrence = django_filters.BooleanFilter(label=_("复发（回头看）"), method="filter_recurrence", widget=forms.CheckboxInput)

    class Meta:
        model = Hazard
        fields = []
        form = ManageForm  # Bootstrap classes on the controls

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(code__icontains=value) | Q(title__icontains=value) | Q(place__icontains=value) | Q(place_unit__icontains=value))

    def filter_recurrence(self, queryset, name, value):
        return queryset.filter(recurrence_of__isnull=False) if value else queryset

    def filter_timeliness(self, queryset, name, value):
        return queryset.filter(timeliness(timezone.localdate())[value])

    def filter_state(self, queryset, name, values):
        states = set(values)
        if "open" in states:
            states = (states - {"open"}) | set(OPEN_STATES)
        return queryset.filter(state__in=sorted(states)) if states else queryset


INSPECTION_KEYSET = Keyset(["-inspected_on", "-id"])


class InspectionFilter(django_filters.FilterSet):
    """排查记录: the page and the API filter through it."""

    q = django_filters.CharFilter(label=_("检查部位"), method="filter_place", max_length=50)
    sector = django_filters.ModelChoiceFilter(label=_("行业领域"), queryset=Sector.objects.all())
    township = django_filters.ModelChoiceFilter(label=_("属地乡镇"), queryset=Unit.objects.filter(kind=UnitKind.TOWNSHIP))
    inspected_from = django_filters.DateFilter(label=_("检查日期自"), field_name="inspected_on", lookup_expr="gte",
                                               widget=DateInput())
    inspected_to = django_filters.DateFilter(label=_("检查日期至"), field_name="inspected_on", lookup_expr="lte",
                                             widget=DateInput())

    class Meta:
        model = Inspection
        fields = []
        form = ManageForm

    def filter_place(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(place_key__contains=normalize_place(value)) | Q(place_unit__icontains=value))


SHIFT_KEYSET = Keyset(["date", "id"])


class ShiftFilter(django_filters.FilterSet):
    """The one FilterSet of the duty shifts (值班班次): the API's list and the roster's filters."""

    date = django_filters.DateFilter(label=_("值班日期"), field_name="date", widget=DateInput())
    date_from = django_filters.DateFilter(label=_("值班日期自"), field_name="date", lookup_expr="gte", widget=DateInput())
    date_to = django_filters.DateFilter(label=_("值班日期至"), field_name="date", lookup_expr="lte", widget=DateInput())
    post = django_filters.ModelChoiceFilter(label=_("值守点"), queryset=DutyPost.objects.all())
    township = django_filters.ModelChoiceFilter(label=_("乡镇"), field_name="post__township", queryset=Unit.objects.filter(kind=UnitKind.TOWNSHIP))
    state = django_filters.MultipleChoiceFilter(label=_("状态"), choices=ShiftState.choices, widget=forms.CheckboxSelectMultiple)
    critical = django_filters.BooleanFilter(label=_("重点值守点"), field_name="post__critical")

    class Meta:
        model = Shift
        fields = []
        form = ManageForm
