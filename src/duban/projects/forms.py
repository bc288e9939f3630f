"""Forms of the project ledger's pages: what the project office enters, what a unit reports. They only read the
input; the services decide and write (a refusal lands on the field it names, `ServiceError.field`)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from duban.appeals.choices import Category
from duban.core.choices import Role, UnitKind
from duban.core.manage_forms import ManageForm, UnitChoiceField
from duban.core.models import Unit, User
from duban.ledger.forms import DateInput, MultipleFileField
from duban.ledger.models import Campaign
from duban.projects.choices import PIPELINE, STAGE_ORDER, Industry, Level, ProblemRoute, ProjectType, Stage
from duban.projects.models import AMOUNT, ProcedureType

PHOTO_HELP = _("现场形象进度照片（JPG、PNG），可多选，最多 9 张；系统会去掉照片里的位置等附加信息。")
MONTHS = range(1, 13)


def _units():
    return Unit.objects.filter(is_active=True).order_by("sort_key")


class LeaderChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return f"{user.full_name or user.username}{'（' + user.title + '）' if user.title else ''}"


def _leaders():
    return User.objects.filter(is_active=True, role_grants__role__in=[Role.LEADER, Role.PRINCIPAL]).distinct().order_by("id")


def _amount(label, **kwargs):
    return forms.DecimalField(label=label, max_digits=AMOUNT["max_digits"], decimal_places=AMOUNT["decimal_places"], min_value=0, **kwargs)


class VersionForm(ManageForm):
    """The version of the matter the user saw; the service refuses if it moved on meanwhile."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, matter, **kwargs):
        self.matter = matter
        kwargs.setdefault("initial", {}).setdefault("version", matter.version)
        super().__init__(*args, **kwargs)

    def service_values(self) -> dict:
        """The cleaned values as the service's keywords, the version as `expected_version`."""
        values = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        return {**values, "expected_version": self.cleaned_data["version"]}


# --- projects ---------------------------------------------------------------------------------------------


class ProjectFields(forms.Form):
    """What the ledger says of a project (录入 and 修改 share them)."""

    name = forms.CharField(label=_("项目名称"), max_length=200)
    investor = forms.CharField(label=_("投资主体"), max_length=200, required=False)
    investor_credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=18, required=False)
    contact_name = forms.CharField(label=_("企业联系人"), max_length=40, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    industry = forms.ChoiceField(label=_("产业类别"), choices=Industry.choices, initial=Industry.MANUFACTURING)
    project_type = forms.ChoiceField(label=_("项目类型"), choices=ProjectType.choices, initial=ProjectType.INDUSTRIAL,
                                     help_text=_("录入时按项目类型列出要办的手续（立项、用地、规划、环评、施工许可等）。"))
    level = forms.ChoiceField(label=_("项目级别"), choices=Level.choices, initial=Level.COUNTY)
    location = forms.CharField(label=_("建设地点"), max_length=200, required=False)
    township = UnitChoiceField(label=_("所在乡镇"), queryset=Unit.objects.filter(kind=UnitKind.TOWNSHIP, is_active=True), required=False)
    content = forms.CharField(label=_("建设内容和规模"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    total_investment = _amount(_("总投资（万元）"))
    annual_plan = _amount(_("年度计划投资（万元）"), required=False)
    lead_unit = UnitChoiceField(label=_("责任单位"), queryset=_units())
    leader_in_charge = LeaderChoiceField(label=_("包抓领导"), queryset=_leaders(), required=False)

    def project_values(self) -> dict:
        data = self.cleaned_data
        values = {name: data.get(name) for name in ProjectFields.base_fields}
        values["annual_plan"] = values["annual_plan"] or 0
        return values


class ProjectNewForm(ProjectFields, ManageForm):
    """录入项目: the project at the stage it has reached, on the day it got there."""

    stage = forms.ChoiceField(label=_("项目阶段"), choices=[(s.value, s.label) for s in PIPELINE], initial=Stage.LEAD)
    stage_on = forms.DateField(label=_("进入该阶段的日期"), widget=DateInput(), required=False, help_text=_("不填则为今天。"))

    def service_values(self) -> dict:
        return {**self.project_values(), "stage": self.cleaned_data["stage"], "stage_on": self.cleaned_data.get("stage_on")}


class ProjectEditForm(ProjectFields, VersionForm):
    """修改项目: its fields as the ledger holds them (the stage moves through 推进阶段)."""

    def __init__(self, *args, matter, **kwargs):
        initial = kwargs.setdefault("initial", {})
        for name in ProjectFields.base_fields:
            value = getattr(matter, f"{name}_id" if name in ("township", "lead_unit", "leader_in_charge") else name)
            initial.setdefault(name, value)
        super().__init__(*args, matter=matter, **kwargs)

    def service_values(self) -> dict:
        return {**self.project_values(), "expected_version": self.cleaned_data["version"]}


class MoveForm(VersionForm):
    """推进阶段: to which later stage, on which day."""

    stage = forms.ChoiceField(label=_("推进到"), choices=())
    on = forms.DateField(label=_("日期"), widget=DateInput(), required=False, help_text=_("不填则为今天。"))
    note = forms.CharField(label=_("说明"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        now = STAGE_ORDER.get(self.matter.state, len(PIPELINE))
        later = [(s.value, s.label) for s in PIPELINE if STAGE_ORDER[s] > now]
        self.fields["stage"].choices = later
        if later:
            self.fields["stage"].initial = later[0][0]


class StopForm(VersionForm):
    reason = forms.CharField(label=_("终止原因"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("如：投资方撤回、未能落地。项目未办结的手续随之关闭。"))


class ProblemForm(VersionForm):
    """提出问题: a problem holding the project up, sent on as an enterprise appeal or a key-work task."""

    title = forms.CharField(label=_("问题"), max_length=200)
    detail = forms.CharField(label=_("问题描述"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    route = forms.ChoiceField(label=_("转办方式"), choices=ProblemRoute.choices, initial=ProblemRoute.APPEAL, widget=forms.RadioSelect)
    category = forms.ChoiceField(label=_("诉求类别（转企业诉求）"), choices=Category.choices, initial=Category.OTHER, required=False)
    contact_name = forms.CharField(label=_("企业联系人（转企业诉求）"), max_length=40, required=False)
    contact_phone = forms.CharField(label=_("联系电话（转企业诉求）"), max_length=20, required=False)
    campaign = forms.ModelChoiceField(label=_("专项行动（转重点工作任务）"), queryset=Campaign.objects.filter(is_active=True), required=False)
    lead_unit = UnitChoiceField(label=_("牵头单位（转重点工作任务）"), queryset=_units(), required=False,
                                help_text=_("不选则为项目责任单位。"))
    due_date = forms.DateField(label=_("完成时限（转重点工作任务）"), widget=DateInput(), required=False)

    def __init__(self, *args, **kwargs):
        matter = kwargs["matter"]
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("contact_name", matter.contact_name)
        initial.setdefault("contact_phone", matter.contact_phone)
        super().__init__(*args, **kwargs)
        self.fields["route"].widget.attrs["class"] = "form-check-input"
        campaigns = list(self.fields["campaign"].queryset[:2])
        if len(campaigns) == 1:
            self.fields["campaign"].initial = campaigns[0].pk


class AddProcedureForm(ManageForm):
    """增加手续: one the project's template does not list."""

    procedure_type = forms.ModelChoiceField(label=_("手续"), queryset=ProcedureType.objects.none())
    lead_unit = UnitChoiceField(label=_("办理单位"), queryset=_units(), required=False, help_text=_("不选则为该手续的常用办理单位。"))
    workdays = forms.IntegerField(label=_("办理时限（工作日）"), min_value=1, max_value=720, required=False,
                                  help_text=_("不填则用该手续的默认时限。"))

    def __init__(self, *args, matter, **kwargs):
        super().__init__(*args, **kwargs)
        self.matter = matter
        self.fields["procedure_type"].queryset = ProcedureType.objects.filter(active=True).exclude(
            pk__in=matter.procedures.values("procedure_type_id"))

    def service_values(self) -> dict:
        return dict(self.cleaned_data)


class MonthPlansForm(ManageForm):
    """月度计划: the planned investment of each month of the plan year (万元)."""

    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)

    def __init__(self, *args, matter, **kwargs):
        self.matter = matter
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("year", matter.plan_year)
        for month, planned in matter.reports.filter(year=matter.plan_year).values_list("month", "planned"):
            initial.setdefault(f"plan_{month}", planned)
        super().__init__(*args, **kwargs)
        for month in MONTHS:
            self.fields[f"plan_{month}"] = _amount(_("%(m)s月计划投资（万元）") % {"m": month}, required=False)
            self.fields[f"plan_{month}"].widget.attrs["class"] = "form-control"

    def months(self):
        return [self[f"plan_{month}"] for month in MONTHS]

    def service_values(self) -> dict:
        data = self.cleaned_data
        return {"year": data["year"], "plans": {month: data.get(f"plan_{month}") for month in MONTHS}}


# --- procedures --------------------------------------------------------------------------------------------


class StartForm(VersionForm):
    """启动办理: who handles it, the day the application was taken, the limit in working days."""

    lead_unit = UnitChoiceField(label=_("办理单位"), queryset=_units())
    on = forms.DateField(label=_("受理日期"), widget=DateInput(), required=False, help_text=_("不填则为今天。"))
    workdays = forms.IntegerField(label=_("办理时限（工作日）"), min_value=1, max_value=720)

    def __init__(self, *args, matter, **kwargs):
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("lead_unit", matter.lead_unit_id)
        initial.setdefault("workdays", matter.workdays)
        super().__init__(*args, matter=matter, **kwargs)


class FinishForm(VersionForm):
    approval_no = forms.CharField(label=_("批复文号"), max_length=80, required=False, help_text=_("如：建施〔2026〕18号"))
    on = forms.DateField(label=_("办结日期"), widget=DateInput(), required=False, help_text=_("不填则为今天。"))


class WaiveForm(VersionForm):
    reason = forms.CharField(label=_("无需办理的理由"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("如：已有工业用地，无需征收；年综合能耗低于1000吨标准煤。"))


class ExtendForm(VersionForm):
    due_date = forms.DateField(label=_("新的办理时限"), widget=DateInput())
    reason = forms.CharField(label=_("调整理由"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


# --- monthly reports ------------------------------------------------------------------------------------


class SubmitForm(VersionForm):
    """报送月报: the month's completed investment, its image progress and photos."""

    completed = _amount(_("本月完成投资（万元）"))
    image_progress = forms.CharField(label=_("形象进度"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                     help_text=_("如：主体结构完成至三层，设备基础浇筑完成。"))
    photos = MultipleFileField(label=_("形象进度照片"), help_text=PHOTO_HELP)

    def service_values(self) -> dict:
        values = super().service_values()
        return {**values, "photos": values.get("photos") or []}


class CorrectForm(VersionForm):
    completed = _amount(_("更正后的本月完成投资（万元）"))
    reason = forms.CharField(label=_("更正原因"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, matter, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("completed", matter.completed)
        super().__init__(*args, matter=matter, **kwargs)
