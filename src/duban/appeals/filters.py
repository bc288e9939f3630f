"""The appeal list's one FilterSet: the list page, the API, the Excel export and every number of the rates page
link through it, so that a number and its list always hold the same appeals."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from duban.appeals.choices import OPEN_STATES, AppealState, Category, Channel, Outcome, Rating, Urgency
from duban.appeals.models import Appeal, AppealUnit
from duban.core.manage_forms import ManageForm
from duban.core.models import Unit
from duban.core.paging import Keyset
from duban.ledger.forms import DateInput
from duban.matters.choices import Light

STATE_CHOICES = [("open", _("在办（全部未办结）")), *AppealState.choices]
KEYSET = Keyset(["due_sort", "id"])
NEWEST = Keyset(["-created_at", "-id"])
SORTS = {"due": KEYSET, "new": NEWEST}


class Ticked(django_filters.BooleanFilter):
    """A checkbox filter: ticked keeps the matching appeals, unticked keeps all (an unticked checkbox reads as
    False, and a plain BooleanFilter would then keep only the appeals that are not repeats, not escalated)."""

    def filter(self, qs, value):
        return super().filter(qs, True) if value else qs


class AppealFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("关键词"), method="filter_text", max_length=50)
    state = django_filters.MultipleChoiceFilter(label=_("状态"), choices=STATE_CHOICES, method="filter_state",
                                                widget=forms.CheckboxSelectMultiple)
    category = django_filters.MultipleChoiceFilter(label=_("诉求类别"), choices=Category.choices)
    channel = django_filters.MultipleChoiceFilter(label=_("来源渠道"), choices=Channel.choices)
    urgency = django_filters.ChoiceFilter(label=_("紧急程度"), choices=Urgency.choices)
    light = django_filters.MultipleChoiceFilter(label=_("亮灯"), choices=Light.choices, widget=forms.CheckboxSelectMultiple)
    # 承办单位: the lead unit, or a cooperating unit with `with_cooperating`.
    unit = django_filters.ModelChoiceFilter(label=_("承办单位"), queryset=Unit.objects.all(), method="filter_unit")
    holder = django_filters.ModelChoiceFilter(label=_("当前办理单位"), field_name="holder_unit", queryset=Unit.objects.all())
    outcome = django_filters.ChoiceFilter(label=_("办理结果"), choices=Outcome.choices)
    rating = django_filters.ChoiceFilter(label=_("满意度"), choices=Rating.choices)
    submitted_from = django_filters.DateFilter(label=_("提交日期自"), field_name="start_date", lookup_expr="gte", widget=DateInput())
    submitted_to = django_filters.DateFilter(label=_("提交日期至"), field_name="start_date", lookup_expr="lte", widget=DateInput())
    accepted_from = django_filters.DateFilter(label=_("受理日期自"), field_name="accepted_on", lookup_expr="gte", widget=DateInput())
    accepted_to = django_filters.DateFilter(label=_("受理日期至"), field_name="accepted_on", lookup_expr="lte", widget=DateInput())
    sent_back = django_filters.NumberFilter(label=_("退单次数不少于"), field_name="sendback_count", lookup_expr="gte", min_value=1)
    reopened = django_filters.NumberFilter(label=_("重办次数不少于"), field_name="reopen_count", lookup_expr="gte", min_value=1)
    excluded = django_filters.BooleanFilter(label=_("不纳入考核"), field_name="excluded", widget=forms.NullBooleanSelect)
    repeat = Ticked(label=_("重复诉求"), field_name="repeat_of", lookup_expr="isnull", exclude=True,
                                          widget=forms.CheckboxInput)
    escalated = Ticked(label=_("已提交分管县领导"), field_name="escalated", widget=forms.CheckboxInput)

    class Meta:
        model = Appeal
        fields = []
        form = ManageForm  # Bootstrap classes on the controls

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        # The enterprise's name is searched only where the user may see it (appeals.privacy): a unit cannot find
        # out who is behind a hidden appeal by guessing names.
        who = Q(enterprise_name__icontains=value)
        user = getattr(self.request, "user", None)
        from duban.appeals.policies import is_desk

        if not is_desk(user):
            who &= Q(identity_hidden=False)
        return queryset.filter(Q(code__icontains=value) | Q(title__icontains=value) | Q(description__icontains=value) | who)

    def filter_state(self, queryset, name, values):
        states = set(values)
        if "open" in states:
            states = (states - {"open"}) | set(OPEN_STATES)
        return queryset.filter(state__in=sorted(states)) if states else queryset

    def filter_unit(self, queryset, name, unit):
        if unit is None:
            return queryset
        return queryset.filter(Q(lead_unit=unit) | Q(pk__in=AppealUnit.objects.filter(unit=unit).values("appeal_id")))
