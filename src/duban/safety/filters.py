"""The one FilterSet of the hazard ledger: the list page and the API filter through it (the export will too)."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from duban.core.choices import UnitKind
from duban.core.manage_forms import ManageForm
from duban.core.models import Unit
from duban.core.paging import Keyset
from duban.matters.choices import Light
from duban.safety.choices import OPEN_STATES, HazardLevel, HazardState
from duban.safety.models import Hazard, Sector

STATE_CHOICES = [("open", _("未销号（全部在办）")), *HazardState.choices]
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
    recurrence = django_filters.BooleanFilter(label=_("复发（回头看）"), field_name="recurrence_of", lookup_expr="isnull", exclude=True,
                                              widget=forms.CheckboxInput)

    class Meta:
        model = Hazard
        fields = []
        form = ManageForm  # Bootstrap classes on the controls

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(code__icontains=value) | Q(title__icontains=value) | Q(place__icontains=value) | Q(place_unit__icontains=value))

    def filter_state(self, queryset, name, values):
        states = set(values)
        if "open" in states:
            states = (states - {"open"}) | set(OPEN_STATES)
        return queryset.filter(state__in=sorted(states)) if states else queryset
