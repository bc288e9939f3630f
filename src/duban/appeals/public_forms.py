"""Forms of the enterprise's pages (no account): the appeal form, the tracking number and code, the rating.

They check only what a field alone can say (filled in, not too long); the services check the rest — the credit
code's check character, the phone number, each file's type and size — and their refusal lands on its field.
"""

from __future__ import annotations

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from duban.appeals.choices import Category, Rating
from duban.appeals.services.intake import CODE_LENGTH, DESCRIPTION_MAX, MAX_FILES
from duban.core.attachments import KINDS
from duban.core.manage_forms import ManageForm
from duban.ledger.forms import MultipleFileField

# What the file picker offers first (core.attachments still checks every file's content).
ACCEPT = ",".join(f".{extension}" for extension in KINDS if extension != "zip")


# `lazy % values` would be translated once, at import: this waits for the request's language.
interpolate = lazy(lambda text, values: str(text) % values, str)


def _required(what) -> dict:
    return {"required": interpolate(_("请填写%(what)s。"), {"what": what})}


class IntakeForm(ManageForm):
    """提交诉求: what the enterprise types on its phone; the service decides whether it is complete and true."""

    enterprise_name = forms.CharField(label=_("企业名称"), max_length=100, error_messages=_required(_("企业名称")),
                                      widget=forms.TextInput(attrs={"autocomplete": "organization"}))
    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=30, error_messages=_required(_("统一社会信用代码")),
                                  help_text=_("18位，印在营业执照上。"),
                                  widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off", "spellcheck": "false"}))
    contact_name = forms.CharField(label=_("联系人"), max_length=40, error_messages=_required(_("联系人")),
                                   widget=forms.TextInput(attrs={"autocomplete": "name"}))
    phone = forms.CharField(label=_("联系电话"), max_length=20, error_messages=_required(_("联系电话")),
                            help_text=_("手机号或带区号的固定电话，承办单位和县营商办用它联系您。"),
                            widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}))
    category = forms.ChoiceField(label=_("诉求类别"), choices=Category.choices, widget=forms.RadioSelect,
                                 error_messages={"required": _("请选择诉求类别。"), "invalid_choice": _("请选择诉求类别。")})
    description = forms.CharField(label=_("诉求内容"), max_length=DESCRIPTION_MAX, error_messages=_required(_("诉求内容")),
                                  help_text=interpolate(_("写清遇到了什么问题、找过哪些部门、希望怎样解决（最多 %(n)s 字）。"), {"n": DESCRIPTION_MAX}),
                                  widget=forms.Textarea(attrs={"rows": 6}))
    attachments = MultipleFileField(label=_("附件"), help_text=interpolate(_("可选，最多 %(n)s 个：照片、PDF、Word、Excel 等。"), {"n": MAX_FILES}))
    identity_hidden = forms.BooleanField(label=_("对承办单位保密我的企业身份"), required=False,
                                         help_text=_("勾选后，承办单位看不到企业名称和联系方式，只有县营商办能看到，并由县营商办与您联系。"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"].widget.attrs["accept"] = ACCEPT

    def service_values(self) -> dict:
        """The keyword arguments of services.submit_appeal."""
        data = self.cleaned_data
        return {name: data[name] for name in ("enterprise_name", "credit_code", "contact_name", "phone", "category", "description",
                                               "identity_hidden")} | {"attachments": data.get("attachments") or []}


class TrackForm(ManageForm):
    """查询: the tracking number and the query code, both as they were shown on the result page."""

    number = forms.CharField(label=_("受理编号"), max_length=24, error_messages=_required(_("受理编号")),
                             widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off", "spellcheck": "false",
                                                           "placeholder": "SQ2026-000001"}))
    code = forms.CharField(label=_("查询码"), max_length=CODE_LENGTH + 10, error_messages=_required(_("查询码")),
                           help_text=interpolate(_("提交诉求时页面上显示的 %(n)s 位查询码。"), {"n": CODE_LENGTH}),
                           widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off", "spellcheck": "false"}))


class RatingForm(ManageForm):
    """评价: how the enterprise found the answer; the service asks for a reason when it is unsatisfied."""

    rating = forms.ChoiceField(label=_("您对答复是否满意"), choices=Rating.choices, widget=forms.RadioSelect,
                               error_messages={"required": _("请选择满意、基本满意或不满意。"),
                                               "invalid_choice": _("请选择满意、基本满意或不满意。")})
    comment = forms.CharField(label=_("评价意见"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("选“不满意”的，请写明原因，承办单位将重新办理。"))
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
