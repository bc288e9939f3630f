"""The form on the token page."""

import datetime as dt

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TokenForm(forms.Form):
    name = forms.CharField(label=_("用途"), max_length=60, help_text=_("例如：台账同步脚本、数据大屏"),
                           widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}))
    expires_on = forms.DateField(label=_("有效期至（含当日）"), required=False,
                                 widget=forms.DateInput(attrs={"class": "form-control", "type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"expires_on": self.last_day()})
        super().__init__(*args, **kwargs)
        field = self.fields["expires_on"]
        field.help_text = _("最长 %(days)d 天（至 %(day)s）；留空即按最长期限。到期后请另建。") % {
            "days": settings.DUBAN_API_TOKEN_MAX_DAYS, "day": f"{self.last_day():%Y-%m-%d}"}
        field.widget.attrs.update({"min": f"{timezone.localdate():%Y-%m-%d}", "max": f"{self.last_day():%Y-%m-%d}"})

    @staticmethod
    def last_day() -> dt.date:
        """The last day a token made today may work (the service checks the exact moment)."""
        return timezone.localdate() + dt.timedelta(days=settings.DUBAN_API_TOKEN_MAX_DAYS - 1)

    def clean_expires_on(self):
        day = self.cleaned_data["expires_on"]
        if day is not None and day < timezone.localdate():
            raise forms.ValidationError(_("有效期不能早于今天。"))
        if day is not None and day > self.last_day():
            raise forms.ValidationError(_("访问令牌最长有效 %(days)d 天，请选择 %(day)s 或更早的日期。") % {
                "days": settings.DUBAN_API_TOKEN_MAX_DAYS, "day": f"{self.last_day():%Y-%m-%d}"})
        return day

    def expires_at(self) -> dt.datetime | None:
        """The last second of the chosen day, local time (a token valid "until 9 June" works all of 9 June)."""
        day = self.cleaned_data.get("expires_on")
        if day is None:
            return None
        return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))
