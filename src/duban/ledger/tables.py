"""The rows of the ledger list, written in Python.

A template spends ~10 ms resolving the ~1,400 variables of 50 ten-column rows; the list page has 30 ms in
all at 100k tasks (SPEC §9), so its body is built here with str.format, every value escaped with the
standard library's html.escape (what django.utils.html.escape calls, without its lazy-string wrapper: 750
values a page), and the page template keeps the header, the filters and the paging.
"""

from __future__ import annotations

from html import escape

from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from duban.ledger.choices import TaskState
from duban.ledger.templatetags.ledger_tags import STATE_STYLES
from duban.matters import clock
from duban.matters.choices import Light
from duban.matters.controls import checkboxes, light_bar, select, text_input  # noqa: F401 (the list's view reads them here)

ROW = (
    '<tr data-code="{code}">'
    '<td class="small d-none d-sm-table-cell">{code}</td>'
    '<td class="task-title"><a href="{base}{code}/">{title}</a>'
    '<div class="small text-muted d-md-none"><span class="d-sm-none">{code} · </span>{unit_short} · {due} · {progress}% · {state_label}<br>{reason}</div></td>'
    '<td class="d-none d-xl-table-cell small">{front}</td>'
    '<td class="d-none d-lg-table-cell">{leader}</td>'
    '<td class="d-none d-md-table-cell">{unit_short}</td>'
    '<td class="d-none d-lg-table-cell">{person}</td>'
    '<td class="d-none d-md-table-cell">{due}</td>'
    '<td class="d-none d-md-table-cell text-end">{progress}%</td>'
    '<td><span class="light-dot light-{light}" title="{tip}" data-light="{light}"></span><span class="visually-hidden">{tip}</span></td>'
    '<td class="d-none d-md-table-cell"><span class="badge {state_style}" data-state="{state}">{state_label}</span></td>'
    "</tr>"
)


def task_rows(rows) -> SafeString:
    """The <tr> of each row (a dict keyed by selectors.LIST_COLUMNS): 编号, 工作任务, 战线, 牵头县领导, 牵头单位,
    责任人, 完成时限, 进度, 亮灯, 状态. Every value from the database is escaped."""
    base = escape(reverse("ledger:task_list") + "tasks/")
    states = {value: (escape(str(label)), escape(STATE_STYLES.get(value, "text-bg-secondary"))) for value, label in TaskState.choices}
    lights = {value: escape(str(label)) for value, label in Light.choices}
    standing, none = escape(_("长期坚持")), "—"
    today = timezone.localdate()  # the reason's counts as of today (matters.clock.shown_reason)

    def row_html(row):
        due = row["due_date"]
        state, light, reason = escape(row["state"]), escape(row["light"]), escape(clock.shown_reason(row, today))
        state_label, state_style = states.get(row["state"], (state, "text-bg-secondary"))
        light_label = lights.get(row["light"], light)
        person = row["responsible_name"] if row["responsible_person__full_name"] is None else row["responsible_person__full_name"]
        return ROW.format(
            base=base, code=escape(row["code"]), title=escape(row["title"]),
            front=escape(row["front__name"] or none), leader=escape(row["leader_in_charge__full_name"] or none),
            unit_short=escape(row["lead_unit__short_name"] or row["lead_unit__name"] or none),
            person=escape(person or none),
            due=due.isoformat() if due else (standing if row["standing"] else none),
            progress=int(row["progress"]), light=light, tip=f"{light_label}：{reason}" if reason else light_label,
            reason=reason, state=state, state_label=state_label, state_style=state_style,
        )

    return mark_safe("".join(row_html(row) for row in rows))


# --- the filter bar ----------------------------------------------------------------------------------
# The light counts across the top and the filter form's controls, for the same reason as the rows: rendered
# through the template and the form's widgets they cost ~1 ms of a page that has ~9 (SPEC §9: ≤ 3× an empty
# page), for a few dozen links, options and checkboxes. The page template keeps the layout and the labels.


# --- the task page's sub-tasks and reports ------------------------------------------------------------
# Written here for the same reason as the list's rows: a task with 30 sub-tasks and 30 reports spent 3 of its
# ~15 ms resolving their variables and tags in the template (issue 14, docs/benchmarks.md).

CHILD_ROW = (
    '<tr><td><a href="{url}">{code}</a></td><td>{unit}</td>'
    '<td class="d-none d-sm-table-cell">{due}</td><td class="text-end">{progress}%</td>'
    '<td><span class="light-dot light-{light}" title="{tip}" data-light="{light}"></span><span class="visually-hidden">{tip}</span></td>'
    '<td class="d-none d-sm-table-cell"><span class="badge {state_style}" data-state="{state}">{state_label}</span></td></tr>'
)
REPORT_ITEM = (
    '<li class="list-group-item">'
    '<div class="d-flex justify-content-between small text-muted"><span>{day} · {unit} · {author}</span>'
    '<strong class="text-body">{percent}%</strong></div>'
    '<div class="pre-line">{text}</div>{problems}{next_steps}{files}</li>'
)
REPORT_PART = '<div class="small"><span class="text-muted">{label}：</span><span class="pre-line">{text}</span></div>'
FILE_LINK = '<a class="me-2" href="{url}" data-testid="attachment">📎 {name}</a>'


def child_rows(children) -> SafeString:
    """The sub-task table's <tr>s (rows of selectors.task_page: 编号, 承办单位, 完成时限, 进度, 亮灯, 状态)."""
    states = {value: (escape(str(label)), escape(STATE_STYLES.get(value, "text-bg-secondary"))) for value, label in TaskState.choices}
    lights = {value: escape(str(label)) for value, label in Light.choices}

    def row_html(row):
        state, light, reason = escape(row["state"]), escape(row["light"]), escape(row["reason"])
        state_label, state_style = states.get(row["state"], (state, "text-bg-secondary"))
        light_label = lights.get(row["light"], light)
        return CHILD_ROW.format(
            url=escape(row["url"]), code=escape(row["code"]), unit=escape(row["lead_unit_name"] or "—"),
            due=row["due_date"].isoformat() if row["due_date"] else "—", progress=int(row["progress"]), light=light,
            tip=f"{light_label}：{reason}" if reason else light_label, state=state, state_label=state_label, state_style=state_style,
        )

    return mark_safe("".join(row_html(row) for row in children))


def report_items(reports) -> SafeString:
    """The 进展报送 list's <li>s (rows of selectors.task_page, newest first), each with its files."""
    problems_label, next_label = escape(_("存在问题")), escape(_("下步打算"))
    download = reverse("attachment_download", args=[0])[:-2]  # …/attachments/0/ without "0/"

    def part(label, text):
        return REPORT_PART.format(label=label, text=escape(text)) if text else ""

    def item_html(row):
        files = "".join(FILE_LINK.format(url=f"{download}{f.pk}/", name=escape(f.name)) for f in row["files"])
        return REPORT_ITEM.format(
            day=row["reported_on"].isoformat() if row["reported_on"] else "", unit=escape(row["unit_name"] or ""),
            author=escape(row["author_name"] or ""), percent=int(row["percent"]), text=escape(row["text"]),
            problems=part(problems_label, row["problems"]), next_steps=part(next_label, row["next_steps"]),
            files=f'<div class="small mt-1">{files}</div>' if files else "",
        )

    return mark_safe("".join(item_html(row) for row in reports))
