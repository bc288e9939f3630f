"""The ledger list: the user's tasks, filtered, sorted, keyset-paged, with counts by light across the top."""

from __future__ import annotations

from django import forms
from django.forms.utils import flatatt
from django.shortcuts import render
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from duban.core.paging import BadCursor
from duban.ledger import selectors
from duban.ledger.filters import SORTS
from duban.ledger.policies import can_assign
from duban.ledger.tables import task_rows
from duban.ledger.views.common import ledger_page
from duban.matters.choices import Light

PAGE_SIZE = 50


@ledger_page
def task_list(request):
    """台账: a fixed number of queries whatever the number of rows (SPEC §9)."""
    listing = selectors.listing(request.user, request.GET)
    cursor_error = ""
    try:
        page = selectors.page_of(listing, request.GET.get("cursor") or None, PAGE_SIZE)
    except BadCursor as exc:
        cursor_error = str(exc)
        page = selectors.page_of(listing, None, PAGE_SIZE)
    form = listing.filterset.form
    _dress(form)
    chosen_lights = set(request.GET.getlist("light"))
    lights = [
        {"value": value, "label": label, "count": listing.light_counts.get(value, 0), "active": value in chosen_lights}
        for value, label in Light.choices
    ]
    context = {
        "page": page, "rows_html": task_rows(page.rows), "form": form, "lights": lights, "total": listing.total, "any_light": bool(chosen_lights),
        "states": form.fields["state"].choices, "chosen_states": set(request.GET.getlist("state")),
        "sort": listing.sort, "sorts": [(key, label) for key, (label, _fields) in SORTS.items()],
        "cursor_error": cursor_error, "may_create": can_assign(request.user),
        "filtered": any(request.GET.getlist(name) for name in form.fields),
    }
    return render(request, "ledger/task_list.html", context)


class FastSelect(forms.Select):
    """A <select> written in Python: Django's per-option templates cost milliseconds on a page that has 30 ms."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = {str(v) for v in (value if isinstance(value, list | tuple) else [value]) if v not in (None, "")}
        options = format_html_join(
            "", '<option value="{}"{}>{}</option>',
            ((key, mark_safe(" selected") if str(key) in chosen else "", label) for key, label in self.choices),
        )
        return format_html("<select name=\"{}\"{}>{}</select>", name, flatatt(self.build_attrs(self.attrs, attrs)), options)


def _dress(form) -> None:
    """Bootstrap widgets for the FilterSet's form (light and state are checkboxes drawn by the template)."""
    labels = {
        "unit": lambda unit: "\u3000" * unit.depth + unit.name,
        "front": lambda front: f"{front.campaign.year} · {front.name}",
    }
    for name, field in form.fields.items():
        if name in {"due_after", "due_before"}:
            field.widget = forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"}, format="%Y-%m-%d")
        elif name in labels or name in {"campaign", "leader"}:
            if name in labels:
                field.label_from_instance = labels[name]
            field.empty_label = _("全部")
            field.widget = FastSelect(attrs={"class": "form-select form-select-sm"}, choices=field.choices)
        elif name == "q":
            field.widget.attrs.update({"class": "form-control form-control-sm", "placeholder": _("任务名称、编号或责任人")})
