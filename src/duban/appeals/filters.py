"""The appeal list's one FilterSet: the list page, the API, the Excel export and every number of the rates page
link through it, so that a number and its list always hold the same appeals."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from duban.appeals.choices import OPEN_STATES, SATISFIED_RATINGS, AppealState, Category, Channel, Outcome, Rating, Urgency
from duban.appeals.kind import APPEAL_KIND
from duban.appeals.models import Appeal, AppealUnit
from duban.core.manage_forms import ManageForm
from duban.core.models import Unit
from duban.core.paging import Keyset
from duban.ledger.forms import DateInput
from duban.matters.choices import Light
from duban.matters.models import MatterEvent

STATE_CHOICES = [("open", _("在办（全部未办结）")), *AppealState.choices]
KIND_KEY = APPEAL_KIND.key
# Never accepted, or closed into another: not in the rates, not ruled out either (Appeal.objects.counted()).
NOT_ACCEPTED = (AppealState.SUBMITTED, AppealState.DECLINED, AppealState.MERGED)
KEYSET = Keyset(["due_sort", "id"])
NEWEST = Keyset(["-created_at", "-id"])
SORTS = {"due": KEYSET, "new": NEWEST}
COUNTING_CHOICES = [("counted", _("纳入考核")), ("ruled_out", _("不纳入考核"))]
TIMELINESS_CHOICES = [("due", _("应按时")), ("on_time", _("按时")), ("late", _("未按时"))]


# The rates page's link parameters: they cut exactly one figure's appeals, and the list keeps them (hidden) when
# re-filtered, but they are not controls of its filter form (nor six more unit lists to render).
LINK_ONLY = ("counting", "lead_unit", "first_unit", "response", "timely", "replied", "rated", "satisfied", "sent_back_by", "repeat_unit")


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
    # The rates page's numbers (appeals.metrics): each of its figures is one of these lists.
    counting = django_filters.ChoiceFilter(label=_("考核口径"), choices=COUNTING_CHOICES, method="filter_counting")
    lead_unit = django_filters.ModelChoiceFilter(label=_("承办单位（不含配合）"), field_name="lead_unit", queryset=Unit.objects.all())
    first_unit = django_filters.ModelChoiceFilter(label=_("首次派单单位"), field_name="first_unit", queryset=Unit.objects.all())
    response = django_filters.ChoiceFilter(label=_("签收响应"), choices=TIMELINESS_CHOICES, method="filter_response")
    timely = django_filters.ChoiceFilter(label=_("按时答复"), choices=TIMELINESS_CHOICES, method="filter_timely")
    replied = django_filters.BooleanFilter(label=_("已答复"), method="filter_replied", widget=forms.NullBooleanSelect)
    rated = django_filters.BooleanFilter(label=_("已评价"), method="filter_rated", widget=forms.NullBooleanSelect)
    satisfied = django_filters.BooleanFilter(label=_("满意或基本满意"), method="filter_satisfied", widget=forms.NullBooleanSelect)
    sent_back_by = django_filters.ModelChoiceFilter(label=_("退单单位"), queryset=Unit.objects.all(), method="filter_sent_back_by")
    repeat_unit = django_filters.ModelChoiceFilter(label=_("重复诉求计入单位"), field_name="repeat_unit", queryset=Unit.objects.all())

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

    # --- the rates page's lists (their definitions: appeals.metrics) ---------------------------------------

    def filter_counting(self, queryset, name, value):
        # Conditions on the row itself (Appeal.objects.counted()'s), not an id list, and `excluded` as an equality
        # (excluded IN (0), where excluded=False reads NOT excluded): the rates count from their index in its order.
        if value == "counted":
            return queryset.exclude(state__in=NOT_ACCEPTED).filter(excluded__in=[False])
        if value == "ruled_out":
            return queryset.exclude(state__in=NOT_ACCEPTED).filter(excluded__in=[True])
        return queryset

    def filter_response(self, queryset, name, value):
        from duban.appeals import metrics

        if not value:
            return queryset
        return queryset.filter(metrics.response_q(value, timezone.localdate()))

    def filter_timely(self, queryset, name, value):
        from duban.appeals import metrics

        if not value:
            return queryset
        return queryset.filter(metrics.timely_q(value, timezone.localdate()))

    def filter_replied(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(replied=bool(value))

    def filter_rated(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.exclude(rating="") if value else queryset.filter(rating="")

    def filter_satisfied(self, queryset, name, value):
        if value is None:
            return queryset
        satisfied = Q(rating__in=sorted(SATISFIED_RATINGS))
        return queryset.filter(satisfied) if value else queryset.exclude(satisfied)

    def filter_sent_back_by(self, queryset, name, unit):
        if unit is None:
            return queryset
        return queryset.filter(pk__in=MatterEvent.objects.filter(kind=KIND_KEY, event="sent_back", unit=unit).values("matter_id"))
