"""The form on the token page."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

DEFAULT_DAYS = 90


class TokenForm(forms.Form):
    name = forms.CharField(label=_("用途"), max_length=60, help_text=_("例如：台账同步脚本、数据大屏"),
                           widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}))
    expires_on = forms.DateField(label=_("有效期至（含当日）"), required=False,
                                 help_text=_("留空表示长期有效；建议设置有效期，到期后另建"),
                                 widget=forms.DateInput(attrs={"class": "form-control", "type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"expires_on": timezone.localdate() + dt.timedelta(days=DEFAULT_DAYS)})
        super().__init__(*args, **kwargs)

    def clean_expires_on(self):
        day = self.cleaned_data["expires_on"]
        if day is not None and day < timezone.localdate():
            raise forms.ValidationError(_("有效期不能早于今天。"))
        return day

    def expires_at(self) -> dt.datetime | None:
        """The last second of the chosen day, local time (a token valid "until 9 June" works all of 9 June)."""
        day = self.cleaned_data.get("expires_on")
        if day is None:
            return None
        return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))
