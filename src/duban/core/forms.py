"""Sign-in and password forms in the users' language."""

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class SignInForm(AuthenticationForm):
    """The sign-in form; a wrong password says how many tries are left before the lock."""

    error_messages = {
        "invalid_login": _("登录名或密码不正确，请重新输入。连续输错 %(limit)s 次，账号将锁定 %(minutes)s 分钟。"),
        "invalid_login_left": _("登录名或密码不正确，请重新输入。再输错 %(left)s 次，账号将锁定 %(minutes)s 分钟。"),
        "inactive": _("该账号已停用，请联系系统管理员。"),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("登录名")
        self.fields["password"].label = _("密码")
        self.fields["username"].widget.attrs.update({"class": "form-control", "autocomplete": "username"})
        self.fields["password"].widget.attrs.update({"class": "form-control", "autocomplete": "current-password"})

    def get_invalid_login_error(self):
        limit, minutes = settings.AXES_FAILURE_LIMIT, lockout_minutes()
        # django-axes counted this failure (its signal handler runs inside authenticate()) and left the count here.
        failures = getattr(self.request, "axes_failures_since_start", None)
        if failures is None or failures >= limit:
            return forms.ValidationError(self.error_messages["invalid_login"], code="invalid_login", params={"limit": limit, "minutes": minutes})
        return forms.ValidationError(
            self.error_messages["invalid_login_left"], code="invalid_login", params={"left": limit - failures, "minutes": minutes},
        )


def lockout_minutes() -> int:
    """How long a locked account stays locked, in whole minutes (AXES_COOLOFF_TIME may be hours or a timedelta)."""
    from axes.helpers import get_cool_off

    return int(get_cool_off().total_seconds() // 60)


class PasswordChangeForm(forms.Form):
    """A person changes their own password; the rules are checked by the service."""

    old_password = forms.CharField(label=_("原密码"), widget=forms.PasswordInput(attrs={"class": "form-control", "autocomplete": "current-password"}))
    new_password1 = forms.CharField(label=_("新密码"), widget=forms.PasswordInput(attrs={"class": "form-control", "autocomplete": "new-password"}))
    new_password2 = forms.CharField(label=_("再输一次新密码"), widget=forms.PasswordInput(attrs={"class": "form-control", "autocomplete": "new-password"}))

    def clean(self):
        data = super().clean()
        if data.get("new_password1") and data.get("new_password1") != data.get("new_password2"):
            self.add_error("new_password2", _("两次输入的新密码不一致。"))
        return data
