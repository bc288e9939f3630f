"""The ledger list: the user's tasks, filtered, sorted, keyset-paged, with counts by light across the top."""

from __future__ import annotations

from django.shortcuts import render
from django.utils.translation import gettext as _

from duban.core.choices import Role
from duban.core.paging import BadCursor
from duban.ledger import selectors, tables
from duban.ledger.filters import SORTS
from duban.ledger.policies import can_assign
from duban.ledger.views.common import ledger_page
from duban.matters.choices import Light

PAGE_SIZE = 50
# Filters the 中梗阻 pages link with: no control of their own on the list, carried along as hidden fields
# and shown as badges that can be taken off.
CARRIED = ("lead_unit", "idle", "passed_on", "returned", "returned_by", "reassign_by",
           # and the dashboard's (reports.figures): 超/达/欠进度 and the month a task was closed in
           "schedule", "closed_after", "closed_before")


@ledger_page
def task_list(request):
    """台账: a fixed number of queries whatever the number of rows (SPEC §9).

    The rows, the light counts and the filter controls are written by ledger.tables (plain strings, every
    value escaped); the template lays them out. The selects' options are read as values, one query each
    (selectors.filter_options), on every request: an admin's change to the units shows at once."""
    query = request.GET
    listing = selectors.listing(request.user, query)
    cursor_error = ""
    try:
        page = selectors.page_of(listing, query.get("cursor") or None, PAGE_SIZE)
    except BadCursor as exc:
        cursor_error = str(exc)
        page = selectors.page_of(listing, None, PAGE_SIZE)
    form = listing.filterset.form
    chosen_lights = set(query.getlist("light"))
    lights = [
        {"value": value, "label": label, "count": listing.light_counts.get(value, 0), "active": value in chosen_lights}
        for value, label in Light.choices
    ]
    everything, errors = ("", _("全部")), form.errors
    controls = {
        name: tables.select(name, [everything, *options], query.get(name, ""), invalid=name in errors)
        for name, options in selectors.filter_options(listing.rows.db).items()
    }
    controls |= {
        "due_after": tables.text_input("due_after", query.get("due_after", ""), kind="date", invalid="due_after" in errors),
        "due_before": tables.text_input("due_before", query.get("due_before", ""), kind="date", invalid="due_before" in errors),
        "q": tables.text_input("q", query.get("q", ""), placeholder=_("任务名称、编号或责任人"), invalid="q" in errors),
        "light": tables.checkboxes("light", Light.choices, chosen_lights, dots=True),
        "state": tables.checkboxes("state", form.fields["state"].choices, set(query.getlist("state")), small=True),
        "sort": tables.select("sort", [(key, label) for key, (label, _fields) in SORTS.items()], listing.sort),
    }
    context = {
        "page": page, "rows_html": tables.task_rows(page.rows), "form": form,
        "labels": {name: field.label for name, field in form.fields.items()}, "controls": controls,
        "light_bar": tables.light_bar(lights, listing.total, query, any_light=bool(chosen_lights)),
        "cursor_error": cursor_error, "may_create": can_assign(request.user),
        "may_bring_back": request.user.has_role(Role.UNIT_HEAD, Role.LIAISON),
        "filtered": any(query.getlist(name) for name in form.fields),
        "carried": _carried(form, query),
    }
    return render(request, "ledger/task_list.html", context)


def _carried(form, query) -> list[dict]:
    """The 中梗阻 filters in force: name, value (for the hidden field), what the badge says, the link without it."""
    cleaned = getattr(form, "cleaned_data", {}) or {}
    carried = []
    for name in CARRIED:
        value = query.get(name)
        if not value or cleaned.get(name) in (None, ""):
            continue
        shown = cleaned[name]
        if isinstance(shown, list):  # a multiple choice: its labels (the link carries one value)
            labels = dict(form.fields[name].choices)
            shown = _("、").join(str(labels.get(v, v)) for v in shown)
        without = query.copy()
        without.pop(name, None)
        without.pop("cursor", None)
        carried.append({"name": name, "value": value, "label": form.fields[name].label,
                        "shown": getattr(shown, "name", shown), "without": without.urlencode()})
    return carried
