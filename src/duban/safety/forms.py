"""Forms of the hazard pages: what the person on the ground fills in, and the office's decisions."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from duban.core.choices import UnitKind
from duban.core.manage_forms import ManageForm, UnitChoiceField
from duban.core.models import Unit
from duban.ledger.forms import MultipleFileField
from duban.ledger.models import Campaign
from duban.safety.choices import HazardLevel
from duban.safety.models import ChecklistItem, Hazard, Outcome, Sector

PHOTO_HELP = _("手机拍摄的 JPG、PNG 照片，可多选；系统会去掉照片里的位置等附加信息。")


class ReportForm(ManageForm):
    """发现上报: the fewest fields a grid worker needs on a phone; 当场整改 in the same step."""

    sector = forms.ModelChoiceField(label=_("行业领域"), queryset=Sector.objects.filter(active=True))
    level = forms.ChoiceField(label=_("隐患等级"), choices=HazardLevel.choices, initial=HazardLevel.GENERAL, widget=forms.RadioSelect)
    place = forms.CharField(label=_("隐患部位"), max_length=200, help_text=_("如：城关镇南街12号 某某加油站 储罐区"))
    place_unit = forms.CharField(label=_("所在单位"), max_length=100, required=False)
    township = UnitChoiceField(label=_("属地乡镇"), queryset=Unit.objects.filter(kind=UnitKind.TOWNSHIP, is_active=True), required=False,
                               help_text=_("不选则为您所在的乡镇。"))
    title = forms.CharField(label=_("隐患内容"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))
    photos = MultipleFileField(label=_("现场照片"), help_text=PHOTO_HELP)
    on_the_spot = forms.BooleanField(label=_("已当场整改"), required=False)
    result = forms.CharField(label=_("当场整改情况"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    after_photos = MultipleFileField(label=_("整改后照片"), help_text=_("当场整改的，上传整改后的照片。"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].widget.attrs["class"] = "form-check-input"

    def service_values(self) -> dict:
        data = dict(self.cleaned_data)
        return {**data, "photos": data.get("photos") or [], "after_photos": data.get("after_photos") or []}


class VersionForm(ManageForm):
    """The version of the hazard the user saw; the service refuses if it moved on meanwhile."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, hazard: Hazard, **kwargs):
        self.hazard = hazard
        kwargs.setdefault("initial", {}).setdefault("version", hazard.version)
        super().__init__(*args, **kwargs)


class AssignForm(VersionForm):
    """交办整改; for a major hazard the plan (五落实) too."""

    lead_unit = UnitChoiceField(label=_("整改责任单位"), queryset=Unit.objects.filter(is_active=True))
    responsible_name = forms.CharField(label=_("整改责任人"), max_length=60, required=False)
    measures = forms.CharField(label=_("整改措施"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    due_date = forms.DateField(label=_("整改时限"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    funds = forms.DecimalField(label=_("整改资金（万元）"), max_digits=12, decimal_places=2, required=False, min_value=0)
    plan_goal = forms.CharField(label=_("整改目标"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    plan_person = forms.CharField(label=_("整改负责人"), max_length=60, required=False)
    plan_contingency = forms.CharField(label=_("应急预案"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.hazard.is_major:
            for name in ("plan_goal", "plan_person", "plan_contingency"):
                del self.fields[name]

    def service_values(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class VerificationRequestForm(VersionForm):
    result = forms.CharField(label=_("整改完成情况"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    photos = MultipleFileField(label=_("整改后照片"), help_text=PHOTO_HELP)


class VerifyForm(VersionForm):
    note = forms.CharField(label=_("验收意见"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class PromoteForm(VersionForm):
    """转为重点工作任务: onto which campaign's ledger."""

    campaign = forms.ModelChoiceField(label=_("专项行动"), queryset=Campaign.objects.filter(is_active=True),
                                      help_text=_("在该专项行动中建一项重点工作任务（草稿），整改责任单位、整改时限和整改措施带入任务，"
                                                  "由县督查室补全后立账交办。隐患本身仍按整改、验收、销号办理。"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        campaigns = list(self.fields["campaign"].queryset[:2])
        if len(campaigns) == 1:
            self.fields["campaign"].initial = campaigns[0].pk


class ReturnForm(VersionForm):
    reason = forms.CharField(label=_("退回理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


# --- 排查 -----------------------------------------------------------------------------------------------


class ChecklistItemForm(ManageForm):
    sector = forms.ModelChoiceField(label=_("行业领域"), queryset=Sector.objects.filter(active=True))
    text = forms.CharField(label=_("检查内容"), max_length=200, help_text=_("写成合格的样子，如“连接软管无老化、无破损”。"))


class InspectionForm(ManageForm):
    """排查 of one place against its sector's checklist: one 合格/不合格/不涉及 per line, and for a 不合格 line what
    is wrong, whether it becomes a hazard (it does unless unticked) and its photos."""

    place = forms.CharField(label=_("检查部位"), max_length=200, help_text=_("如：城关镇南街12号 某某加油站 储罐区"))
    place_unit = forms.CharField(label=_("被检查单位"), max_length=100, required=False)
    township = UnitChoiceField(label=_("属地乡镇"), queryset=Unit.objects.filter(kind=UnitKind.TOWNSHIP, is_active=True), required=False,
                               help_text=_("不选则为您所在的乡镇。"))
    inspected_on = forms.DateField(label=_("检查日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    note = forms.CharField(label=_("备注"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, items: list[ChecklistItem], **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            self.fields[f"outcome_{item.pk}"] = forms.ChoiceField(label=item.text, choices=Outcome.choices, widget=forms.RadioSelect)
            self.fields[f"note_{item.pk}"] = forms.CharField(label=_("存在的问题"), max_length=500, required=False)
            self.fields[f"hazard_{item.pk}"] = forms.BooleanField(label=_("登记为隐患"), required=False, initial=True)
            self.fields[f"photos_{item.pk}"] = MultipleFileField(label=_("现场照片"))

    def lines(self):
        """(item, outcome field, note field, hazard field, photos field) per checklist line, for the template."""
        return [(item, self[f"outcome_{item.pk}"], self[f"note_{item.pk}"], self[f"hazard_{item.pk}"], self[f"photos_{item.pk}"])
                for item in self.items]

    def answers(self):
        from duban.safety.services import Answer

        data = self.cleaned_data
        return [Answer(item, data[f"outcome_{item.pk}"], note=data.get(f"note_{item.pk}") or "",
                       hazard=bool(data.get(f"hazard_{item.pk}")), photos=tuple(data.get(f"photos_{item.pk}") or ()))
                for item in self.items]
