"""Forms of the appeals desk's staff pages: the office's entry of a phone, visit, hotline or leader-visit appeal,
one form per transition (each carrying the version the user saw), and the time limits table. They only
validate input; the services decide and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from duban.appeals.choices import STAFF_CHANNELS, Category, Channel, Outcome, Rating, Urgency
from duban.appeals.models import Appeal, TimeLimit
from duban.core.manage_forms import ManageForm, UnitChoiceField
from duban.core.models import Unit
from duban.ledger.forms import MultipleFileField
from duban.ledger.models import Campaign

MAX_DAYS = 60


class AppealForm(ManageForm):
    """ManageForm, with radio buttons and tick boxes classed as Bootstrap check inputs (ManageForm classes them as text)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                field.widget.attrs["class"] = "form-check-input"


class AppealEntryForm(AppealForm):
    """登记诉求: what the office types in from a phone call, a visit, a 12345 ticket or a leader's visit; the
    credit code is optional (a caller seldom knows it), checked when given."""

    channel = forms.ChoiceField(label=_("来源渠道"), choices=[(c.value, c.label) for c in STAFF_CHANNELS], initial=Channel.PHONE,
                                widget=forms.RadioSelect)
    hotline_ref = forms.CharField(label=_("热线工单号"), max_length=40, required=False, help_text=_("12345热线转来的，填写工单号。"))
    enterprise_name = forms.CharField(label=_("企业名称"), max_length=100)
    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=30, required=False, help_text=_("不知道可不填；填写的会校验。"))
    contact_name = forms.CharField(label=_("联系人"), max_length=40)
    phone = forms.CharField(label=_("联系电话"), max_length=30)
    category = forms.ChoiceField(label=_("诉求类别"), choices=Category.choices)
    urgency = forms.ChoiceField(label=_("紧急程度"), choices=Urgency.choices, initial=Urgency.NORMAL, widget=forms.RadioSelect)
    description = forms.CharField(label=_("诉求内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 5}))
    identity_hidden = forms.BooleanField(label=_("企业要求对承办单位保密身份"), required=False,
                                         help_text=_("勾选后，承办单位看不到企业名称、信用代码、联系人和电话，只有县营商办可见。"))
    attachments = MultipleFileField(label=_("附件"), help_text=_("最多 5 个附件，如营业执照、申请材料的照片或扫描件。"))

    def service_values(self) -> dict:
        data = dict(self.cleaned_data)
        data["attachments"] = data.get("attachments") or []
        return data


class VersionForm(AppealForm):
    """The version of the appeal the user saw; the service refuses if it moved on meanwhile."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, appeal: Appeal, user=None, **kwargs):
        self.appeal, self.user = appeal, user
        kwargs.setdefault("initial", {}).setdefault("version", appeal.version)
        super().__init__(*args, **kwargs)

    @property
    def seen_version(self) -> int:
        return self.cleaned_data["version"]


class AcceptForm(VersionForm):
    """受理, with the category and urgency corrected if the enterprise chose wrongly."""

    category = forms.ChoiceField(label=_("诉求类别"), choices=Category.choices)
    urgency = forms.ChoiceField(label=_("紧急程度"), choices=Urgency.choices, widget=forms.RadioSelect)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].initial = self.appeal.category
        self.fields["urgency"].initial = self.appeal.urgency


class ReasonForm(VersionForm):
    """A decision with its reason (不予受理, 退单, 申请延期, 不纳入考核)."""

    reason = forms.CharField(label=_("理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, reason_label=None, reason_help="", **kwargs):
        super().__init__(*args, **kwargs)
        if reason_label:
            self.fields["reason"].label = reason_label
        self.fields["reason"].help_text = reason_help


class DuplicateChoiceField(forms.ModelChoiceField):
    """A possible duplicate by its number, summary and state."""

    def label_from_instance(self, appeal):
        return f"{appeal.code} {appeal.title}（{appeal.get_state_display()}）"


class MergeForm(VersionForm):
    """合并: into one of the same enterprise's open appeals in the same category."""

    into = DuplicateChoiceField(label=_("合并到"), queryset=Appeal.objects.none(), widget=forms.RadioSelect, empty_label=None)

    def __init__(self, *args, duplicates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = Appeal.objects.filter(pk__in=[d.pk for d in duplicates]).order_by("-id")
        if len(duplicates) == 1:
            self.fields["into"].initial = duplicates[0].pk


class UnitsChoiceField(forms.ModelMultipleChoiceField):
    """Units in tree order, indented (a tick box each: no Ctrl-click on a phone)."""

    def label_from_instance(self, unit):
        return "\u3000" * unit.depth + unit.name


class DispatchForm(VersionForm):
    """派单: a lead unit, and the units that help it."""

    lead_unit = UnitChoiceField(label=_("承办单位"), queryset=Unit.objects.filter(is_active=True).order_by("sort_key"))
    cooperating_units = UnitsChoiceField(label=_("配合单位"), queryset=Unit.objects.filter(is_active=True).order_by("sort_key"),
                                         required=False, widget=forms.CheckboxSelectMultiple,
                                         help_text=_("可多选；不选则由承办单位独立办理。"))
    note = forms.CharField(label=_("派单说明"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.appeal.lead_unit_id and self.appeal.sendback_count == 0:
            self.fields["lead_unit"].initial = self.appeal.lead_unit_id


class DecideExtensionForm(VersionForm):
    """审批延期: approve (the complex limit from signing) or refuse with a note."""

    approve = forms.TypedChoiceField(label=_("审批意见"), choices=[("yes", _("同意延期，按复杂诉求办理")), ("no", _("不同意延期"))],
                                     coerce=lambda v: v == "yes", widget=forms.RadioSelect)
    note = forms.CharField(label=_("说明"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2}),
                           help_text=_("不同意的，请写明理由。"))


class ReplyForm(VersionForm):
    """答复: what the enterprise reads, the outcome, the legal basis when it cannot be solved, a note for the office."""

    public_text = forms.CharField(label=_("答复企业内容"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5}),
                                  help_text=_("企业在查询页面看到这段文字。"))
    outcome = forms.ChoiceField(label=_("办理结果"), choices=Outcome.choices, widget=forms.RadioSelect)
    legal_basis = forms.CharField(label=_("无法解决的法律政策依据"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    internal_note = forms.CharField(label=_("内部说明"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                    help_text=_("只有县营商办和本单位可见，企业看不到。"))


class RateForm(VersionForm):
    """回访评价 (电话回访): the enterprise's rating as the office heard it on the phone."""

    rating = forms.ChoiceField(label=_("满意度"), choices=Rating.choices, widget=forms.RadioSelect)
    comment = forms.CharField(label=_("评价意见"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}),
                              help_text=_("不满意的，请记下原因，承办单位据此重办。"))


class EditForm(VersionForm):
    """修改: the business office corrects what was typed."""

    category = forms.ChoiceField(label=_("诉求类别"), choices=Category.choices)
    urgency = forms.ChoiceField(label=_("紧急程度"), choices=Urgency.choices, widget=forms.RadioSelect)
    title = forms.CharField(label=_("诉求摘要"), max_length=120)
    description = forms.CharField(label=_("诉求内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 5}))
    enterprise_name = forms.CharField(label=_("企业名称"), max_length=100)
    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=30, required=False)
    contact_name = forms.CharField(label=_("联系人"), max_length=40)
    phone = forms.CharField(label=_("联系电话"), max_length=30)
    identity_hidden = forms.BooleanField(label=_("企业要求对承办单位保密身份"), required=False)

    FIELDS = ("category", "urgency", "title", "description", "enterprise_name", "credit_code", "contact_name", "phone", "identity_hidden")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.FIELDS:
            self.fields[name].initial = getattr(self.appeal, name)

    def clean(self):
        data = super().clean()
        if not self.errors and not self.changes():
            raise forms.ValidationError(_("没有修改任何内容。"))
        return data

    def changes(self) -> dict:
        """Only what differs from the appeal as it is (the event then names just those fields)."""
        return {name: self.cleaned_data[name] for name in self.FIELDS if self.cleaned_data[name] != getattr(self.appeal, name)}


class PromoteForm(VersionForm):
    """转为重点工作任务: onto which campaign's ledger."""

    campaign = forms.ModelChoiceField(label=_("专项行动"), queryset=Campaign.objects.filter(is_active=True),
                                      help_text=_("在该专项行动中建一项重点工作任务（草稿），由县督查室补全后立账交办；诉求本身仍按答复、回访办理。"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        campaigns = list(self.fields["campaign"].queryset[:2])
        if len(campaigns) == 1:
            self.fields["campaign"].initial = campaigns[0].pk


class TimeLimitForm(ManageForm):
    """One row of the limits table: a category (blank: every category) and urgency, and its six limits."""

    category = forms.ChoiceField(label=_("诉求类别"), choices=[("", _("全部类别")), *Category.choices], required=False)
    urgency = forms.ChoiceField(label=_("紧急程度"), choices=Urgency.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in TimeLimit.FIELDS:
            label = TimeLimit._meta.get_field(name).verbose_name
            self.fields[name] = forms.IntegerField(label=label, min_value=1, max_value=MAX_DAYS,
                                                   widget=forms.NumberInput(attrs={"class": "form-control form-control-sm", "min": 1, "max": MAX_DAYS}))

    def days(self) -> dict[str, int]:
        return {name: self.cleaned_data[name] for name in TimeLimit.FIELDS}
