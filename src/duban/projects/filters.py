"""The FilterSets of the project ledger: the project list's (the list page, "my projects", the API and the export
filter through it; the pipeline, investment and 三个一批 pages link to it with exactly the parameters of each
number), the procedures' and the monthly reports'."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from duban.core.choices import Role, UnitKind
from duban.core.manage_forms import ManageForm
from duban.core.models import Unit, User
from duban.core.paging import Keyset
from duban.ledger.forms import DateInput
from duban.matters.choices import Light
from duban.projects.choices import OPEN_STAGES, PROCEDURE_OPEN, Industry, Level, ProcedureState, ProjectType, ReportState, Stage
from duban.projects.models import InvestmentReport, Procedure, ProcedureType, Project

ALL = _("全部")  # the empty choice of a select
STAGE_CHOICES = [("open", _("未投产（全部在建在谈）")), *Stage.choices]
PROCEDURE_STATE_CHOICES = [("open", _("未办结")), *ProcedureState.choices]
KEYSET = Keyset(["-total_investment", "id"])  # the biggest projects first, as the county's sheet lists them
PROCEDURE_KEYSET = Keyset(["due_sort", "id"])
REPORT_KEYSET = Keyset(["due_sort", "id"])
# Parameters the pages' numbers link with, not shown as controls of the list's filter bar.
LINK_ONLY = ("signed_from", "signed_to", "started_from", "started_to", "producing_from", "producing_to", "plan_year")


def _leaders():
    return User.objects.filter(is_active=True, role_grants__role__in=[Role.LEADER, Role.PRINCIPAL]).distinct().order_by("id")


class ProjectFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("关键词"), method="filter_text", max_length=50)
    stage = django_filters.MultipleChoiceFilter(label=_("项目阶段"), choices=STAGE_CHOICES, method="filter_stage",
                                                widget=forms.CheckboxSelectMultiple)
    industry = django_filters.ChoiceFilter(label=_("产业类别"), empty_label=ALL, choices=Industry.choices)
    project_type = django_filters.ChoiceFilter(label=_("项目类型"), empty_label=ALL, choices=ProjectType.choices)
    level = django_filters.MultipleChoiceFilter(label=_("项目级别"), choices=Level.choices, widget=forms.CheckboxSelectMultiple)
    leader = django_filters.ModelChoiceFilter(label=_("包抓领导"), empty_label=ALL, field_name="leader_in_charge", queryset=_leaders())
    lead_unit = django_filters.ModelChoiceFilter(label=_("责任单位"), empty_label=ALL, queryset=Unit.objects.all())
    township = django_filters.ModelChoiceFilter(label=_("所在乡镇"), empty_label=ALL, queryset=Unit.objects.filter(kind=UnitKind.TOWNSHIP))
    light = django_filters.MultipleChoiceFilter(label=_("亮灯"), choices=Light.choices, widget=forms.CheckboxSelectMultiple)
    # The unit holding a procedure of the project still open (卡在哪个单位).
    holding_unit = django_filters.ModelChoiceFilter(label=_("手续办理单位"), empty_label=ALL, queryset=Unit.objects.all(), method="filter_holding")
    # 三个一批: the projects that moved into a stage within a period (the batches page links with these).
    signed_from = django_filters.DateFilter(label=_("签约日期自"), field_name="signed_on", lookup_expr="gte", widget=DateInput())
    signed_to = django_filters.DateFilter(label=_("签约日期至"), field_name="signed_on", lookup_expr="lte", widget=DateInput())
    started_from = django_filters.DateFilter(label=_("开工日期自"), field_name="started_on", lookup_expr="gte", widget=DateInput())
    started_to = django_filters.DateFilter(label=_("开工日期至"), field_name="started_on", lookup_expr="lte", widget=DateInput())
    producing_from = django_filters.DateFilter(label=_("投产日期自"), field_name="producing_on", lookup_expr="gte", widget=DateInput())
    producing_to = django_filters.DateFilter(label=_("投产日期至"), field_name="producing_on", lookup_expr="lte", widget=DateInput())
    plan_year = django_filters.NumberFilter(label=_("计划年度"), field_name="plan_year")

    class Meta:
        model = Project
        fields = []
        form = ManageForm

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value) | Q(investor__icontains=value))

    def filter_stage(self, queryset, name, values):
        stages = set(values)
        if "open" in stages:
            stages = (stages - {"open"}) | set(OPEN_STAGES)
        return queryset.filter(state__in=sorted(stages)) if stages else queryset

    def filter_holding(self, queryset, name, unit):
        if unit is None:
            return queryset
        held = Procedure.objects.filter(lead_unit=unit, state__in=sorted(PROCEDURE_OPEN)).values("project_id")
        return queryset.filter(pk__in=held)


class ProcedureFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("关键词"), method="filter_text", max_length=50)
    procedure_type = django_filters.ModelChoiceFilter(label=_("手续"), empty_label=ALL, queryset=ProcedureType.objects.all())
    state = django_filters.MultipleChoiceFilter(label=_("办理状态"), choices=PROCEDURE_STATE_CHOICES, method="filter_state",
                                                widget=forms.CheckboxSelectMultiple)
    lead_unit = django_filters.ModelChoiceFilter(label=_("办理单位"), empty_label=ALL, queryset=Unit.objects.all())
    light = django_filters.MultipleChoiceFilter(label=_("亮灯"), choices=Light.choices, widget=forms.CheckboxSelectMultiple)
    project = django_filters.CharFilter(label=_("项目编号"), field_name="project__code")

    class Meta:
        model = Procedure
        fields = []
        form = ManageForm

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(code__icontains=value) | Q(title__icontains=value))

    def filter_state(self, queryset, name, values):
        states = set(values)
        if "open" in states:
            states = (states - {"open"}) | set(PROCEDURE_OPEN)
        return queryset.filter(state__in=sorted(states)) if states else queryset


class ReportFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(label=_("年度"), field_name="year")
    month = django_filters.NumberFilter(label=_("月份"), field_name="month", min_value=1, max_value=12)
    state = django_filters.MultipleChoiceFilter(label=_("报送状态"), choices=ReportState.choices, widget=forms.CheckboxSelectMultiple)
    lead_unit = django_filters.ModelChoiceFilter(label=_("责任单位"), empty_label=ALL, queryset=Unit.objects.all())
    light = django_filters.MultipleChoiceFilter(label=_("亮灯"), choices=Light.choices, widget=forms.CheckboxSelectMultiple)
    project = django_filters.CharFilter(label=_("项目编号"), field_name="project__code")

    class Meta:
        model = InvestmentReport
        fields = []
        form = ManageForm
