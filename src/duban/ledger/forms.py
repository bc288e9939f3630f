"""Forms of the ledger pages: they only validate input; the services decide and write.

Every action form carries the task's `version` as it was shown, so that a second writer is told the task
changed instead of silently overwriting it (SPEC §9).
"""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from duban.core.choices import Role
from duban.core.manage_forms import ManageForm, UnitChoiceField
from duban.core.models import Unit, User
from duban.ledger.choices import QualityGrade, TaskSource
from duban.ledger.deadlines import DeadlineError, parse_deadline
from duban.ledger.models import Campaign, Front, Task
from duban.ledger.selectors import cycle_label

MAX_FILES = 10

# The report cycles a county office uses (codes of matters.cycles.ReportCycle).
REPORT_CYCLES = ["", "weekly:5", "days:14", "halfmonthly", "monthly:25", "monthly:0", "quarterly:0", "quarterly:10"]


class DateInput(forms.DateInput):
    """The browser's date picker; it needs ISO dates whatever the locale's display format."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; core.attachments checks each one's type and size when it is stored."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(files) > MAX_FILES:
            raise forms.ValidationError(_("一次最多上传 %(n)s 个文件。") % {"n": MAX_FILES})
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, person):
        unit = person.unit.display_name if person.unit_id else ""
        return f"{person.full_name or person.username}（{unit}）" if unit else person.full_name or person.username


class FrontChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, front):
        return f"{front.campaign.year} · {front.name}"


def leaders():
    """County leaders who can lead or assign a task (分管领导, 主要领导)."""
    return (
        User.objects.filter(is_active=True, role_grants__role__in=[Role.LEADER, Role.PRINCIPAL])
        .select_related("unit").distinct().order_by("id")
    )


def active_units():
    return Unit.objects.filter(is_active=True).order_by("sort_key")


def _check_inputs(form) -> None:
    """Radio buttons and checkbox lists are drawn one input at a time, each a Bootstrap form-check-input."""
    for field in form.fields.values():
        if isinstance(field.widget, forms.RadioSelect):
            field.widget.attrs["class"] = "form-check-input"


class VersionForm(ManageForm):
    """The version of the task the user saw; the service refuses if it moved on meanwhile."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, task: Task, **kwargs):
        self.task = task
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("version", task.version)
        super().__init__(*args, **kwargs)
        _check_inputs(self)


class ConfirmForm(VersionForm):
    """Register, sign, resume: nothing to fill in but the version."""


class ReasonForm(VersionForm):
    reason = forms.CharField(label=_("原因"), widget=forms.Textarea(attrs={"rows": 3}), max_length=1000)

    def __init__(self, *args, reason_label=None, reason_required=True, **kwargs):
        super().__init__(*args, **kwargs)
        if reason_label:
            self.fields["reason"].label = reason_label
        self.fields["reason"].required = reason_required


# --- 建账 / 修改 ------------------------------------------------------------------------------------


class TaskForm(ManageForm):
    """The five clarities (五明确), source and cooperating units; a draft may be saved incomplete."""

    campaign = forms.ModelChoiceField(label=_("专项行动"), queryset=Campaign.objects.filter(is_active=True))
    front = FrontChoiceField(label=_("战线"), queryset=Front.objects.select_related("campaign"), required=False)
    # 任务
    title = forms.CharField(label=_("工作任务（干什么）"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))
    # 标准
    standard = forms.CharField(
        label=_("具体措施及标准（怎么干）"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("每行一条；销账时督查室逐条核验。"),
    )
    # 责任
    assigning_leader = PersonChoiceField(label=_("交办领导"), queryset=leaders(), required=False)
    leader_in_charge = PersonChoiceField(label=_("牵头县领导"), queryset=leaders(), required=False)
    lead_unit = UnitChoiceField(label=_("牵头单位"), queryset=active_units(), required=False)
    cooperating_units = forms.ModelMultipleChoiceField(
        label=_("配合单位"), queryset=active_units(), required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}), help_text=_("可多选（电脑上按住 Ctrl 键点选）。"),
    )
    responsible_person = PersonChoiceField(
        label=_("责任人"), queryset=User.objects.filter(is_active=True, unit__isnull=False).select_related("unit").order_by("unit__sort_key", "id"),
        required=False,
    )
    responsible_name = forms.CharField(label=_("责任人（无账号时填写姓名）"), max_length=60, required=False)
    # 时限
    start_date = forms.DateField(label=_("开始日期"), widget=DateInput, initial=timezone.localdate)
    due_date = forms.DateField(label=_("完成时限"), widget=DateInput, required=False)
    standing = forms.BooleanField(label=_("长期坚持（无完成时限）"), required=False)
    deadline_text = forms.CharField(label=_("完成时限原文"), max_length=100, required=False, help_text=_("如：2026年12月底前、每月25日前报送进展。"))
    report_cycle = forms.ChoiceField(label=_("进展报送周期"), required=False)
    # 奖惩
    reward_penalty = forms.CharField(label=_("奖惩措施"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    source = forms.ChoiceField(label=_("任务来源"), choices=TaskSource.choices, initial=TaskSource.MEETING)
    source_ref = forms.CharField(label=_("来源依据"), max_length=200, required=False, help_text=_("会议名称、文件文号或批示内容。"))

    # Which fields are the services' TASK_FIELDS (the rest are the campaign and the cooperating units).
    task_fields = (
        "front", "title", "standard", "assigning_leader", "leader_in_charge", "lead_unit", "responsible_person",
        "responsible_name", "start_date", "due_date", "standing", "deadline_text", "report_cycle", "reward_penalty",
        "source", "source_ref",
    )

    def __init__(self, *args, task: Task | None = None, **kwargs):
        self.task = task
        if task is not None:
            initial = {name: getattr(task, name) for name in self.task_fields}
            initial["campaign"] = task.campaign_id
            initial["cooperating_units"] = [u.pk for u in task.cooperating_units.all()]
            initial["version"] = task.version
            kwargs["initial"] = {**initial, **kwargs.get("initial", {})}
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField) and not isinstance(field, forms.ModelMultipleChoiceField):
                field.empty_label = _("（请选择）")
        cycles = list(REPORT_CYCLES)
        current = task.report_cycle if task is not None else ""
        if current and current not in cycles:
            cycles.append(current)
        self.fields["report_cycle"].choices = [(code, cycle_label(code) or _("不定期（无固定周期）")) for code in cycles]
        if task is not None:
            # A task stays in its campaign; the version guards the edit against a second writer.
            del self.fields["campaign"]
            self.fields["front"].queryset = Front.objects.filter(campaign_id=task.campaign_id).select_related("campaign")
            self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, min_value=1, initial=task.version)
        else:
            campaign = Campaign.objects.filter(is_active=True).order_by("-year", "id").first()
            if campaign is not None:
                self.fields["campaign"].initial = campaign.pk

    def clean_title(self):
        return self.cleaned_data["title"].strip()

    def clean(self):
        data = super().clean()
        text = (data.get("deadline_text") or "").strip()
        campaign = self.task.campaign if self.task is not None else data.get("campaign")
        # A wording is read as the import reads it; one kept unchanged on an edit is not asked about again.
        if text and campaign is not None and (self.task is None or text != self.task.deadline_text.strip()):
            try:
                parse_deadline(text, campaign.year, today=data.get("start_date") or timezone.localdate())
            except DeadlineError as refused:  # a proposal ("是否指…？") is shown here, never applied
                self.add_error("deadline_text", str(refused))
        return data

    def task_values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.task_fields}


class DecomposeForm(VersionForm):
    units = forms.ModelMultipleChoiceField(
        label=_("分解给以下单位（每个单位一个子任务）"), queryset=active_units(),
        widget=forms.CheckboxSelectMultiple,
    )
    due_date = forms.DateField(label=_("子任务完成时限"), widget=DateInput, required=False, help_text=_("不填则与本任务相同。"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].label_from_instance = lambda unit: "\u3000" * unit.depth + unit.name
        self.fields["units"].queryset = active_units().exclude(pk=self.task.lead_unit_id) if self.task.lead_unit_id else active_units()

    def parts(self) -> list[dict]:
        due = self.cleaned_data.get("due_date")
        return [{"lead_unit": unit, **({"due_date": due} if due else {})} for unit in self.cleaned_data["units"]]


# --- 承办 ------------------------------------------------------------------------------------------


class ReportForm(VersionForm):
    """A progress report that starts from the last one: percent, problems and next steps carried over."""

    percent = forms.IntegerField(label=_("完成进度（%）"), min_value=0, max_value=100, widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    text = forms.CharField(label=_("工作进展"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000)
    problems = forms.CharField(label=_("存在问题"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000)
    next_steps = forms.CharField(label=_("下步打算"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000)
    attachments = MultipleFileField(label=_("附件（可选，可多选）"), help_text=_("PDF、图片、Word、Excel、PPT、WPS 或 ZIP，单个文件不超过上限。"))

    def __init__(self, *args, last=None, **kwargs):
        task = kwargs["task"]
        initial = kwargs.setdefault("initial", {})
        if last is not None:
            initial.setdefault("percent", last.percent)
            initial.setdefault("problems", last.problems)
            initial.setdefault("next_steps", last.next_steps)
        else:
            initial.setdefault("percent", task.progress)
        super().__init__(*args, **kwargs)


class CompletionForm(VersionForm):
    summary = forms.CharField(label=_("完成情况"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000)
    attachments = MultipleFileField(label=_("佐证材料（可多选）"), help_text=_("销账依据：验收报告、文件、照片等。"))
    no_evidence_reason = forms.CharField(
        label=_("没有佐证材料的原因"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("不上传材料时必填，例如“已由县领导现场查看”。"),
    )


def _checklist_fields(form, items, initial=False):
    for index, item in enumerate(items):
        form.fields[f"item_{index}"] = forms.BooleanField(
            label=item, required=False, initial=initial, widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
        )


class CloseForm(VersionForm):
    """销账: the standard's items as a checklist, a quality grade and a note."""

    grade = forms.ChoiceField(label=_("销账评定"), choices=QualityGrade.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("审核意见"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        grade, note = self.fields.pop("grade"), self.fields.pop("note")
        _checklist_fields(self, self.task.standard_items)
        self.fields["grade"], self.fields["note"] = grade, note

    def checklist(self) -> list[bool]:
        return [bool(self.cleaned_data.get(f"item_{i}")) for i in range(len(self.task.standard_items))]


class ReturnForm(VersionForm):
    reason = forms.CharField(label=_("退回理由"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        reason = self.fields.pop("reason")
        _checklist_fields(self, self.task.standard_items)
        self.fields["reason"] = reason

    def checklist(self) -> list[bool]:
        return [bool(self.cleaned_data.get(f"item_{i}")) for i in range(len(self.task.standard_items))]


# --- side paths ------------------------------------------------------------------------------------


class ExtensionRequestForm(VersionForm):
    new_due = forms.DateField(label=_("申请延至"), widget=DateInput)
    reason = forms.CharField(label=_("延期理由"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


DECISIONS = [("approve", _("同意")), ("reject", _("不同意"))]


class DecideExtensionForm(VersionForm):
    decision = forms.ChoiceField(label=_("审批意见"), choices=DECISIONS, widget=forms.RadioSelect)
    note = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=1000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)


class ReassignRequestForm(VersionForm):
    reason = forms.CharField(label=_("调整理由"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    suggested_unit = UnitChoiceField(label=_("建议承办单位"), queryset=active_units(), required=False)


class DecideReassignForm(VersionForm):
    decision = forms.ChoiceField(label=_("处理意见"), choices=[("approve", _("同意调整")), ("reject", _("不同意，仍由原单位承办"))], widget=forms.RadioSelect)
    new_unit = UnitChoiceField(label=_("调整后承办单位"), queryset=active_units(), required=False, help_text=_("同意调整时选择；不选则按申请单位的建议。"))
    note = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=1000)

    def __init__(self, *args, request=None, **kwargs):
        if request is not None and request.suggested_unit_id:
            kwargs.setdefault("initial", {}).setdefault("new_unit", request.suggested_unit_id)
        super().__init__(*args, **kwargs)
