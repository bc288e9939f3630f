"""The rows and the filter controls of the appeal list, written in Python (as the ledger's list writes its own:
ledger.tables).

Through the template, 50 appeals cost ~40 ms of CPU — each is written twice, a card for phones and a table row
for wider screens, ~30 variables and an include each — against a page bar of 30 ms at 200k appeals (issue 8).
Here each value is escaped with the standard library's html.escape and put in with str.format; the page
template keeps the header, the light counts, the sort and the paging.
"""

from __future__ import annotations

from html import escape

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from duban.appeals.choices import AppealState, Category, Urgency
from duban.matters import clock
from duban.matters.choices import Light
from duban.matters.controls import dot as light_dot

CARD = (
    '<li class="list-group-item" data-testid="appeal-card">'
    '<div class="d-flex flex-wrap gap-2 align-items-center">{dot}<a class="fw-semibold" href="{href}">{code}</a>'
    ' <span class="badge text-bg-secondary">{state}</span>{urgent}</div>'
    "<div>{title}{marks}</div>"
    '<div class="text-muted">{who} · {category}{unit_sep}</div>'
    '<div class="text-muted">{reason}</div></li>'
)
ROW = (
    '<tr data-testid="appeal-row" data-code="{code}">'
    '<td>{dot} <span class="text-muted">{reason}</span></td>'
    '<td class="text-nowrap"><a href="{href}">{code}</a>{urgent_sp}</td>'
    "<td>{who_cell}</td><td>{category}</td><td>{title}{marks}</td><td>{unit}</td>"
    '<td class="text-nowrap">{state}</td><td class="text-nowrap">{due}</td></tr>'
)


def appeal_rows(appeals) -> tuple[SafeString, SafeString]:
    """(the phones' cards, the table's rows) of `appeals` — instances with `.shown` (appeals.privacy) and their
    lead unit joined. Every value from the database is escaped."""
    today = timezone.localdate()
    states = {value: escape(str(label)) for value, label in AppealState.choices}
    categories = {value: escape(str(label)) for value, label in Category.choices}
    lights = {value: escape(str(label)) for value, label in Light.choices}
    urgent_badge = f'<span class="badge text-bg-danger">{escape(_("紧急"))}</span>'
    excluded = f' <span class="badge text-bg-light border" data-testid="excluded">{escape(_("不纳入考核"))}</span>'
    repeat = f' <span class="badge text-bg-info" data-testid="repeat">{escape(_("重复诉求"))}</span>'
    extension = f' <span class="badge text-bg-warning">{escape(_("申请延期"))}</span>'
    base = reverse("appeals:desk")  # /appeals/: an appeal page is /appeals/<code>/
    cards, rows = [], []
    for a in appeals:
        reason = escape(clock.shown_reason(a, today))
        light = escape(a.light)
        label = lights.get(a.light, light)
        dot = light_dot(light, f"{label}：{reason}" if reason else label)
        marks = ""
        if a.sendback_count:
            marks += ' <span class="badge text-bg-secondary">' + escape(ngettext("退单 %(n)s 次", "退单 %(n)s 次", a.sendback_count) % {"n": a.sendback_count}) + "</span>"
        if a.reopen_count:
            marks += ' <span class="badge text-bg-warning">' + escape(ngettext("重办 %(n)s 次", "重办 %(n)s 次", a.reopen_count) % {"n": a.reopen_count}) + "</span>"
        if a.excluded:
            marks += excluded
        if a.repeat_of_id:
            marks += repeat
        if a.extension_requested:
            marks += extension
        code, title = escape(a.code), escape(a.title)
        who = escape(a.shown.enterprise_name)
        unit = escape(a.lead_unit.name) if a.lead_unit_id else ""
        urgent = a.urgency == Urgency.URGENT
        values = {
            "dot": dot, "href": f"{base}{code}/", "code": code, "state": states.get(a.state, escape(a.state)), "title": title, "marks": marks,
            "category": categories.get(a.category, escape(a.category)), "reason": reason,
        }
        cards.append(CARD.format(**values, urgent=urgent_badge if urgent else "", who=who, unit_sep=f" · {unit}" if unit else ""))
        rows.append(ROW.format(**values, urgent_sp=f" {urgent_badge}" if urgent else "", unit=unit,
                               who_cell=f'<span class="text-muted">{who}</span>' if a.shown.hidden else who,
                               due=a.due_date.isoformat() if a.due_date else ""))
    return mark_safe("".join(cards)), mark_safe("".join(rows))


# --- the filter form's controls ----------------------------------------------------------------------
# Eighteen controls through Django's widget templates cost ~4 ms of a page whose floor is ~7 ms (issue 8: ≤ 3×
# the floor); here they are written as the widgets write them, byte for byte (tests/appeals compares): each
# value as the bound field would show it (the widget's own value_from_datadict and format_value), the classes of
# ManageForm with is-invalid and the aria attributes on a field with errors, its errors below it. The two unit
# selects share one list of units, read once.

CHECKBOX_GROUP = (
    '\n    <div class="col-12"><div class="small text-muted">{label}</div>\n      {boxes}</div>\n    '
)
GROUP_BOX = (
    '<span class="form-check form-check-inline small"><input class="form-check-input" type="checkbox" name="{name}" '
    'value="{value}" id="id_{name}_{n}"{checked}><label class="form-check-label" for="id_{name}_{n}">{label}</label></span>'
)
CHECKBOX = (
    '\n    <div class="col-6 col-md-3 col-xl-2"><div class="form-check mt-3"><input class="form-check-input" type="checkbox" '
    'name="{name}" value="true" id="id_{name}"{checked}><label class="form-check-label small" for="id_{name}">{label}</label></div></div>\n    '
)
CONTROL = (
    '\n    <div class="col-6 col-md-4 col-xl-2"><label class="form-label small mb-0" for="id_{name}">{label}</label>{widget}'
    '\n      {errors}</div>\n    '
)


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html: True as the bare name, False left out."""
    return "".join(f" {key}" if value is True else f' {key}="{escape(str(value))}"' for key, value in attrs.items() if value is not False)


def _widget_attrs(name: str, widget, invalid: bool) -> dict:
    """The attributes a bound field of ManageForm gives its widget (core.manage_forms._BootstrapBoundField)."""
    attrs = dict(widget.attrs)
    if invalid:
        attrs["class"] = " ".join(c for c in (attrs.get("class", ""), "is-invalid") if c)
        attrs["aria-invalid"] = "true"
        attrs["aria-describedby"] = f"id_{name}_error"
    attrs["id"] = f"id_{name}"
    return attrs


def _select(name: str, widget, options, chosen: list[str], invalid: bool) -> str:
    """django/forms/widgets/select.html: the first option whose value is chosen selected (every one, if multiple)."""
    attrs = _widget_attrs(name, widget, invalid)
    if widget.allow_multiple_selected:
        attrs["multiple"] = True
    wanted, many, body = set(chosen), widget.allow_multiple_selected, []
    for value, label in options:
        value = "" if value is None else str(value)
        selected = value in wanted
        if selected and not many:
            wanted = set()
        body.append(f'\n  <option value="{escape(value)}"{" selected" if selected else ""}>{escape(str(label))}</option>\n')
    return f'<select name="{name}"{_attrs(attrs)}>{"".join(body)}\n</select>'


def _input(name: str, widget, value, invalid: bool) -> str:
    """django/forms/widgets/input.html."""
    shown = "" if value is None else f' value="{escape(str(value))}"'
    return f'<input type="{widget.input_type}" name="{name}"{shown}{_attrs(_widget_attrs(name, widget, invalid))}>'


def filter_controls(form, names, units) -> SafeString:
    """The filter form's controls `names` (fields of the bound AppealFilter form), each in its grid cell with its
    label; `units`: (id, name) of every unit, for the unit selects."""
    errors = form.errors if form.is_bound else {}
    cells = []
    for name in names:
        field = form.fields[name]
        widget = field.widget
        label = escape(str(field.label))
        data = widget.value_from_datadict(form.data, form.files, name)
        if isinstance(widget, forms.CheckboxSelectMultiple):
            chosen = set(widget.format_value(data))
            boxes = "".join(GROUP_BOX.format(name=name, n=n, value=escape(str(value)), label=escape(str(text)),
                                             checked=" checked" if str(value) in chosen else "")
                            for n, (value, text) in enumerate(field.choices))
            cells.append(CHECKBOX_GROUP.format(label=label, boxes=boxes))
        elif isinstance(widget, forms.CheckboxInput):
            cells.append(CHECKBOX.format(name=name, label=label, checked=" checked" if data else ""))
        else:
            invalid = name in errors
            if isinstance(widget, forms.Select):
                if isinstance(field, forms.ModelChoiceField):
                    options = [("", field.empty_label), *units]
                else:
                    options = widget.choices if isinstance(widget, forms.NullBooleanSelect) else field.choices
                chosen = widget.format_value(field.prepare_value(data))  # NullBooleanSelect's: one string
                html = _select(name, widget, options, [chosen] if isinstance(chosen, str) else chosen, invalid)
            else:
                html = _input(name, widget, widget.format_value(field.prepare_value(data)), invalid)
            shown = "".join(f'<div class="invalid-feedback d-block">{escape(str(e))}</div>' for e in errors.get(name, ()))
            cells.append(CONTROL.format(name=name, label=label, widget=html, errors=shown))
    return mark_safe("".join(cells))
