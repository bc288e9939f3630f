"""Forms of the three admins' pages; they only validate input, the services decide and write."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from django import forms
from django.apps import apps
from django.forms.boundfield import BoundField
from django.utils.translation import gettext_lazy as _

from duban.core.choices import AuditOutcome, CalendarDayKind, Role, UnitCategory, UnitKind
from duban.core.errors import Conflict, NotAllowed, ServiceError
from duban.core.models import Unit, User


class _BootstrapBoundField(BoundField):
    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        if self.errors:
            # These attrs replace the widget's own class, so carry it over.
            own = (widget or self.field.widget).attrs.get("class", "")
            attrs["class"] = " ".join(c for c in (own, attrs.get("class", ""), "is-invalid") if c)
        return attrs


class ManageForm(forms.Form):
    """Bootstrap classes on every widget, and a place to put a service's refusal."""

    bound_field_class = _BootstrapBoundField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.HiddenInput):
                continue
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()

    def add_service_error(self, exc: ServiceError) -> None:
        """Show a refusal on the field it is about, else above the form."""
        self.add_error(exc.field if exc.field in self.fields else None, exc.message)


class UnitChoiceField(forms.ModelChoiceField):
    """Units in tree order, indented, the inactive ones marked."""

    def label_from_instance(self, unit):
        label = "\u3000" * unit.depth + unit.name
        return label if unit.is_active else f"{label}{_('（已停用）')}"


def _phone(value: str) -> str:
    if value and not re.fullmatch(r"[0-9+\- ]{5,20}", value):
        raise forms.ValidationError(_("手机号只能包含数字、加号、短横线和空格，5 到 20 位。"))
    return value


# --- units ------------------------------------------------------------------------------------


class UnitForm(ManageForm):
    name = forms.CharField(label=_("名称"), max_length=100)
    short_name = forms.CharField(label=_("简称"), max_length=40, required=False)
    kind = forms.ChoiceField(label=_("类型"), choices=UnitKind.choices)
    category = forms.ChoiceField(label=_("考核分类"), choices=UnitCategory.choices, initial=UnitCategory.UNRANKED)
    parent = UnitChoiceField(label=_("上级单位"), queryset=Unit.objects.order_by("sort_key"), required=False, empty_label=_("（无，作为顶级单位）"))
    sort_order = forms.IntegerField(label=_("排序"), min_value=0, initial=0, help_text=_("同一上级单位下，数字小的排在前面。"))
    is_active = forms.BooleanField(label=_("在用"), required=False, initial=True, help_text=_("停用前须先调整它的在用下级单位和人员。"))

    def clean_name(self):
        return self.cleaned_data["name"].strip()

    def clean_short_name(self):
        return self.cleaned_data["short_name"].strip()


# --- people and accounts ------------------------------------------------------------------------


class _PersonFields(ManageForm):
    full_name = forms.CharField(label=_("姓名"), max_length=40)
    unit = UnitChoiceField(label=_("单位"), queryset=Unit.objects.none(), required=False, empty_label=_("（未分配）"))
    title = forms.CharField(label=_("职务"), max_length=60, required=False)
    phone = forms.CharField(label=_("手机号"), max_length=20, required=False)
    email = forms.EmailField(label=_("电子邮箱"), required=False)

    def __init__(self, *args, current_unit: Unit | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # Active units only, plus the one the person is in now (so editing an old account keeps it).
        units = Unit.objects.filter(is_active=True)
        if current_unit is not None:
            units = Unit.objects.filter(pk=current_unit.pk) | units
        self.fields["unit"].queryset = units.order_by("sort_key")

    def clean_phone(self):
        return _phone(self.cleaned_data["phone"].strip())


class _NewPasswordFields(forms.Form):
    password = forms.CharField(label=_("密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=_("再输一次密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password2") and data["password"] != data["password2"]:
            self.add_error("password2", _("两次输入的密码不一致。"))
        return data


class PersonCreateForm(_NewPasswordFields, _PersonFields):
    username = forms.CharField(label=_("登录名"), max_length=150, help_text=_("字母、数字和 @ . + - _，开通后不再更改。"))
    field_order = ["username", "full_name", "unit", "title", "phone", "email", "password", "password2"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].label = _("初始密码")
        self.fields["password"].help_text = _("请当面或电话告知本人，并提醒其登录后立即修改。")

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        if not re.fullmatch(r"[\w.@+-]+", username):
            raise forms.ValidationError(_("登录名只能包含字母、数字和 @ . + - _。"))
        return username


class PersonEditForm(_PersonFields):
    is_active = forms.BooleanField(label=_("在用"), required=False, help_text=_("停用后该账号不能再登录，历史记录保留。"))


class ResetPasswordForm(_NewPasswordFields, ManageForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].label = _("临时密码")
        self.fields["password"].help_text = _("本人下次登录时须改为自己的密码。")


class PeopleSearchForm(ManageForm):
    STATUS_CHOICES = [
        ("", _("全部账号")),
        ("active", _("在用")),
        ("inactive", _("已停用")),
        ("locked", _("已锁定")),
    ]
    q = forms.CharField(label=_("查找"), required=False, max_length=60,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("登录名、姓名、职务、单位或手机号")}))
    status = forms.ChoiceField(label=_("状态"), choices=STATUS_CHOICES, required=False)


# --- leaders' charges ---------------------------------------------------------------------------


class LeaderChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, person):
        return f"{person.full_name or person.username}（{person.title or person.username}）"


class ChargeForm(ManageForm):
    leader = LeaderChoiceField(label=_("县领导"), queryset=User.objects.none(), empty_label=_("选择县领导"))
    unit = UnitChoiceField(label=_("分管单位"), queryset=Unit.objects.filter(is_active=True).order_by("sort_key"), empty_label=_("选择单位"))

    def __init__(self, *args, leaders=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = leaders if leaders is not None else User.objects.none()


# --- holiday table ------------------------------------------------------------------------------


class CalendarDayForm(ManageForm):
    date = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    kind = forms.ChoiceField(label=_("类别"), choices=CalendarDayKind.choices)
    name = forms.CharField(label=_("说明"), max_length=40, required=False, widget=forms.TextInput(attrs={"placeholder": _("如：春节、国庆节调休")}))

    def clean_name(self):
        return self.cleaned_data["name"].strip()


# --- roles (security admin) ---------------------------------------------------------------------


class RoleGrantForm(ManageForm):
    role = forms.ChoiceField(label=_("授予角色"), choices=Role.choices)

    def __init__(self, *args, held=frozenset(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", _("选择角色"))] + [(v, label) for v, label in Role.choices if v not in held]


class RoleRevokeForm(ManageForm):
    role = forms.ChoiceField(choices=Role.choices, widget=forms.HiddenInput)


class RoleSearchForm(ManageForm):
    q = forms.CharField(label=_("查找"), required=False, max_length=60,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("登录名、姓名或单位")}))
    role = forms.ChoiceField(label=_("角色"), required=False, choices=[("", _("全部角色")), ("none", _("未授予角色")), *Role.choices])


# --- audit trail (audit admin) ------------------------------------------------------------------


def _object_types():
    return sorted(m._meta.label for m in apps.get_models() if m._meta.app_label not in {"contenttypes", "sessions", "admin"})


class AuditFilterForm(ManageForm):
    action = forms.CharField(label=_("操作"), required=False, max_length=60,
                             widget=forms.TextInput(attrs={"placeholder": _("前缀，如 person. 或 role.grant")}))
    actor = forms.CharField(label=_("操作人"), required=False, max_length=80,
                            widget=forms.TextInput(attrs={"placeholder": _("姓名或登录名中的字")}))
    object_type = forms.CharField(label=_("对象类型"), required=False, max_length=60,
                                  widget=forms.TextInput(attrs={"list": "object-types", "placeholder": "core.User"}))
    object_id = forms.CharField(label=_("对象编号"), required=False, max_length=40)
    outcome = forms.ChoiceField(label=_("结果"), required=False, choices=[("", _("全部")), *AuditOutcome.choices])
    date_from = forms.DateField(label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    date_to = forms.DateField(label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    before = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    after = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    object_types = staticmethod(_object_types)

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if isinstance(start, dt.date) and isinstance(end, dt.date) and start > end:
            self.add_error("date_to", _("截止日期不能早于起始日期。"))
        return data


class VerifyForm(ManageForm):
    saved_head = forms.CharField(
        label=_("此前保存的链头（可不填）"), required=False, max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "1234:3fa2…", "autocomplete": "off", "spellcheck": "false"}),
        help_text=_("填入此前抄存在系统外的“序号:哈希值”，可同时查出链被截短或从该处起被改写；不填则以链头日志中最近保存的链头为准。"),
    )


def submit(form, write: Callable[[], object]) -> tuple[bool, str, int]:
    """Run a service write for a valid form: (done, conflict message, HTTP status). A refusal lands on the form
    (403 when the user may not, 200 for a field or state error); a lost update answers 409 with its message."""
    try:
        write()
    except Conflict as exc:
        return False, exc.message, 409
    except NotAllowed as exc:
        form.add_service_error(exc)
        return False, "", 403
    except ServiceError as exc:
        form.add_service_error(exc)
        return False, "", 200
    return True, "", 200
