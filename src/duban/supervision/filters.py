"""The one FilterSet of the 督办记录 list: the page, the API and the Excel export all filter through it."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from duban.core.models import Unit
from duban.core.paging import Keyset
from duban.supervision.choices import ActionKind, ActionState
from duban.supervision.models import SupervisionAction

# Newest first, as a county office reads its record of supervision; the id breaks ties within a day.
KEYSET = Keyset(["-issued_on", "-id"])
ORDER = KEYSET.fields

STATUS_CHOICES = [("open", _("待回复")), ("late", _("逾期未回复")), ("replied", _("已回复"))]
AUTOMATIC_CHOICES = [("true", _("系统按梯度发出")), ("false", _("人工发出"))]
Q_MAX_LENGTH = 100
# The browser's date picker sends and shows ISO dates whatever the locale's input formats.
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_MESSAGE = _("请按“年-月-日”填写日期，如 2026-10-01。")


def subtree_ids(unit: Unit) -> list[int]:
    """The ids of the unit and every unit below it (一级抓一级), from core's tree: one query on the small unit
    table, so that the action list's condition is a plain `target_unit_id IN (…)`."""
    return list(Unit.objects.subtree(unit).order_by().values_list("id", flat=True))


def units_in_scope(request):
    """The units the user may filter by: those of their own scope (the office and principal leaders: all)."""
    user = getattr(request, "user", None)
    return Unit.objects.visible_to(user).order_by("sort_key", "id") if user is not None else Unit.objects.none()


class UnitChoiceField(forms.ModelChoiceField):
    """A unit select laid out as the tree (sub-units indented under their unit); a retired unit says so."""

    def label_from_instance(self, unit):
        retired = "" if unit.is_active else str(_("（已停用）"))
        return "\u3000" * unit.depth + unit.name + retired


class UnitFilter(django_filters.ModelChoiceFilter):
    field_class = UnitChoiceField


class ActionFilter(django_filters.FilterSet):
    """督办方式, reply status, the target unit with its sub-units, sweep or hand, a range of 督办日期 and a
    keyword on the matter's number or title or the notice's number. Build it with the request: the unit
    select offers, and accepts, only the units of the user's scope."""

    kind = django_filters.ChoiceFilter(label=_("督办方式"), choices=ActionKind.choices, empty_label=_("全部督办方式"),
                                       error_messages={"invalid_choice": _("没有“%(value)s”这种督办方式，请从列表中选择。")})
    status = django_filters.ChoiceFilter(label=_("回复情况"), choices=STATUS_CHOICES, empty_label=_("全部"), method="filter_status",
                                         error_messages={"invalid_choice": _("“%(value)s”不是可选的回复情况，请从列表中选择。")})
    unit = UnitFilter(label=_("督办对象单位（含下级单位）"), queryset=units_in_scope, method="filter_unit", empty_label=_("全部单位"),
                      error_messages={"invalid_choice": _("没有这个单位，或它不在您的职责范围内，请从列表中选择。")})
    automatic = django_filters.ChoiceFilter(label=_("发出方式"), choices=AUTOMATIC_CHOICES, empty_label=_("全部"), method="filter_automatic",
                                            error_messages={"invalid_choice": _("“%(value)s”不是可选的发出方式，请从列表中选择。")})
    issued_after = django_filters.DateFilter(label=_("督办日期不早于"), field_name="issued_on", lookup_expr="gte", widget=DATE,
                                             error_messages={"invalid": DATE_MESSAGE})
    issued_before = django_filters.DateFilter(label=_("督办日期不晚于"), field_name="issued_on", lookup_expr="lte", widget=DATE,
                                              error_messages={"invalid": DATE_MESSAGE})
    q = django_filters.CharFilter(label=_("关键词"), method="filter_text", max_length=Q_MAX_LENGTH, error_messages={
        "max_length": _("关键词最多 %(limit_value)d 个字。"), "null_characters_not_allowed": _("关键词中不能含有空字符（\\u0000）。")})

    class Meta:
        model = SupervisionAction
        fields = ["kind", "status", "unit", "automatic", "issued_after", "issued_before", "q"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            kind = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = f"{kind} {kind}-sm"
        self.form.fields["q"].widget.attrs["placeholder"] = _("事项编号、事项名称或文号")

    def mark_errors(self) -> None:
        """Validate, and mark each refused field for the eye (red border) as Django marks it for a screen reader."""
        for name in self.errors:
            if name in self.form.fields:
                widget = self.form.fields[name].widget
                widget.attrs["class"] += " is-invalid"
                widget.attrs["aria-describedby"] = f"id_{name}_error"

    def filter_status(self, queryset, name, status):
        if status == "open":
            return queryset.filter(state=ActionState.OPEN)
        if status == "late":
            return queryset.filter(state=ActionState.OPEN, reply_due__lt=timezone.localdate())
        if status == "replied":
            return queryset.filter(state=ActionState.REPLIED)
        return queryset

    def filter_unit(self, queryset, name, unit):
        """Actions addressed to the unit or to one of its sub-units."""
        return queryset.filter(target_unit_id__in=subtree_ids(unit)) if unit is not None else queryset

    def filter_automatic(self, queryset, name, value):
        return queryset.filter(automatic=value == "true") if value else queryset

    def filter_text(self, queryset, name, text):
        text = (text or "").strip()
        if not text:
            return queryset
        return queryset.filter(Q(matter_code__icontains=text) | Q(matter_title__icontains=text) | Q(number__icontains=text))

    def problems(self) -> list[str]:
        """What is wrong with the filters, one "label：message" per field, in the form's order."""
        if not self.is_bound or self.form.is_valid():
            return []
        return [f"{self.form.fields[name].label}：{'；'.join(errors)}" if name in self.form.fields else "；".join(errors)
                for name, errors in self.form.errors.items()]

    def describe(self) -> str:
        """"督办方式：督办通知单；回复情况：逾期未回复" — what an exported sheet was cut from."""
        if not self.is_bound or not self.form.is_valid():
            return ""
        parts = []
        for name, value in self.form.cleaned_data.items():
            if value in (None, ""):
                continue
            field = self.form.fields[name]
            shown = dict(field.choices).get(value, value) if name in ("kind", "status", "automatic") else value
            parts.append(f"{field.label}：{getattr(shown, 'name', shown)}")
        return "；".join(parts)
