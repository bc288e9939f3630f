"""Forms of the safety pages: what the person on the ground fills in, the office's decisions, the duty rosters."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from duban.core.choices import UnitKind
from duban.core.manage_forms import ManageForm, UnitChoiceField
from duban.core.models import Unit, User
from duban.ledger.forms import DateInput, MultipleFileField
from duban.ledger.models import Campaign
from duban.safety.choices import HazardLevel, PostKind
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
    due_date = forms.DateField(label=_("整改时限"), widget=DateInput())
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
    inspected_on = forms.DateField(label=_("检查日期"), widget=DateInput())
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


# --- duty rosters -------------------------------------------------------------------------------------

ROTATION = 6  # people taking turns in one roster form; the service takes any number


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return f"{user.full_name or user.username}（{user.unit.name if user.unit_id else ''}）"


class PostForm(ManageForm):
    """设置值守点: the township keeps its posts and says which are critical (重点值守点)."""

    name = forms.CharField(label=_("值守点名称"), max_length=60, help_text=_("如：后山瞭望哨、327国道入山检查站、东街第3网格"))
    township = UnitChoiceField(label=_("乡镇"), queryset=Unit.objects.none())
    kind = forms.ChoiceField(label=_("类型"), choices=PostKind.choices)
    critical = forms.BooleanField(label=_("重点值守点"), required=False,
                                  help_text=_("到点未确认到岗的，系统立即转为值守事项并通知乡镇一把手和联络员。"))
    active = forms.BooleanField(label=_("启用"), required=False, initial=True)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args, townships, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township"].queryset = townships
        if townships.count() == 1:
            self.fields["township"].initial = townships.first()


class ScheduleForm(ManageForm):
    """排班: a date range and the people taking turns day by day (第1天 the first, 第2天 the second …)."""

    first = forms.DateField(label=_("开始日期"), widget=DateInput())
    last = forms.DateField(label=_("结束日期"), required=False, widget=DateInput(),
                           help_text=_("不填则只排开始日期一天；防火期可一次排完。"))
    start_time = forms.TimeField(label=_("开始时间"), initial="08:00", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    end_time = forms.TimeField(label=_("结束时间"), initial="18:00", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                               help_text=_("结束时间不晚于开始时间的，到次日结束；00:00 至 00:00 为全天。"))
    second_person = PersonChoiceField(label=_("第二值班人员"), queryset=User.objects.none(), required=False,
                                      help_text=_("每天同一位，可不填。"))
    note = forms.CharField(label=_("备注"), max_length=300, required=False)

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        for n in range(1, ROTATION + 1):
            self.fields[f"person_{n}"] = PersonChoiceField(label=_("轮班人员 %(n)s") % {"n": n}, queryset=people, required=n == 1)
        self.fields["second_person"].queryset = people
        order = ["first", "last", "start_time", "end_time", *(f"person_{n}" for n in range(1, ROTATION + 1)), "second_person", "note"]
        self.order_fields(order)

    def service_values(self) -> dict:
        data = self.cleaned_data
        people = [data[f"person_{n}"] for n in range(1, ROTATION + 1) if data.get(f"person_{n}")]
        return {"first": data["first"], "last": data.get("last"), "start_time": data["start_time"], "end_time": data["end_time"],
                "people": people, "second_people": [data["second_person"]] if data.get("second_person") else [], "note": data.get("note", "")}


class CancelShiftForm(ManageForm):
    reason = forms.CharField(label=_("取消原因"), max_length=200)


class CloseLapseForm(ManageForm):
    reason = forms.CharField(label=_("情况说明"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("如：人员已到岗，手机无信号未能确认；临时调整，由某某顶岗。"))
