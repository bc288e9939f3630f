"""The group-robot form; it only validates input, `services.save_channel` decides and writes."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from duban.core.manage_forms import ManageForm, UnitChoiceField
from duban.core.models import Unit
from duban.notify.choices import Channel, DeliveryState, RobotKind


class ChannelForm(ManageForm):
    unit = UnitChoiceField(label=_("单位"), queryset=Unit.objects.filter(is_active=True).order_by("sort_key"),
                           error_messages={"required": _("请选择单位。"), "invalid_choice": _("所选单位不存在、已停用或不归您配置，请重新选择。")})
    kind = forms.ChoiceField(label=_("类型"), choices=RobotKind.choices, error_messages={"required": _("请选择机器人类型。")})
    webhook_url = forms.CharField(
        label=_("Webhook 地址"), max_length=500,
        help_text=_("在群聊的“群机器人”设置里复制完整地址，如 https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=… 或 https://oapi.dingtalk.com/robot/send?access_token=…"),
        error_messages={"required": _("请填写 Webhook 地址。"), "max_length": _("地址过长（最多 500 个字符），请检查是否粘贴了多余内容。")},
    )
    secret = forms.CharField(
        label=_("加签密钥（仅钉钉）"), max_length=200, required=False, strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("钉钉机器人的安全设置选了“加签”时，填写以 SEC 开头的密钥；修改时留空表示保持原密钥不变。"),
    )
    clear_secret = forms.BooleanField(label=_("清除加签密钥"), required=False)
    enabled = forms.BooleanField(label=_("启用"), required=False, initial=True,
                                 help_text=_("停用后本单位的消息不再推送到该群，已有发送记录保留。"))

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is not None:  # the units whose robots this person may set
            self.fields["unit"].queryset = units.order_by("sort_key")

    def secret_value(self) -> str | None:
        """The secret to store: None keeps the current one (the field is never shown back)."""
        if self.cleaned_data.get("clear_secret"):
            return ""
        return self.cleaned_data.get("secret") or None


class DeliveryFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部状态")), *DeliveryState.choices],
                              widget=forms.Select(attrs={"class": "form-select form-select-sm"}))
    channel = forms.ChoiceField(label=_("渠道"), required=False, choices=[("", _("全部渠道")), *Channel.choices],
                                widget=forms.Select(attrs={"class": "form-select form-select-sm"}))
    robot = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1, max_value=2**63 - 1)
