from django import forms
from django.utils.translation import gettext_lazy as _

from duban.supervision.choices import ActionKind, StepTarget


class IssueForm(forms.Form):
    kind = forms.ChoiceField(label=_("督办方式"), choices=ActionKind.choices)
    text = forms.CharField(label=_("督办内容"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000,
                           help_text=_("写明事实（什么事、迟了多久）和要求（做到什么、何时回复）。"))
    reply_days = forms.IntegerField(label=_("回复期限（工作日）"), min_value=0, max_value=30, initial=2,
                                    help_text=_("0 表示不需书面回复；督办通知单须填写。"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].widget.attrs["class"] = "form-select"
        for name in ("text", "reply_days"):
            self.fields[name].widget.attrs["class"] = "form-control"


class ReplyForm(forms.Form):
    text = forms.CharField(label=_("回复内容"), widget=forms.Textarea(attrs={"rows": 5, "class": "form-control"}), max_length=4000,
                           help_text=_("写明办理情况、未按期完成的原因和整改措施。"))


class StepForm(forms.Form):
    kind = forms.CharField(widget=forms.HiddenInput)
    enabled = forms.BooleanField(label=_("启用"), required=False)
    offset = forms.IntegerField(label=_("距完成时限（工作日）"), min_value=-120, max_value=120)
    reply_days = forms.IntegerField(label=_("回复期限（工作日）"), min_value=0, max_value=30)
    target = forms.ChoiceField(label=_("对象"), choices=StepTarget.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enabled"].widget.attrs["class"] = "form-check-input"
        self.fields["target"].widget.attrs["class"] = "form-select form-select-sm"
        for name in ("offset", "reply_days"):
            self.fields[name].widget.attrs["class"] = "form-control form-control-sm"
