"""The rows of the appeal list, written in Python (as the ledger's list writes its own: ledger.tables).

Through the template, 50 appeals cost ~40 ms of CPU — each is written twice, a card for phones and a table row
for wider screens, ~30 variables and an include each — against a page bar of 30 ms at 200k appeals (issue 8).
Here each value is escaped with the standard library's html.escape and put in with str.format; the page
template keeps the header, the filters and the paging.
"""

from __future__ import annotations

from html import escape

from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from duban.appeals.choices import AppealState, Category, Urgency
from duban.matters import clock
from duban.matters.choices import Light

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


def _dot(light: str, tip: str) -> str:
    """The markup of matter_tags.light_dot (both already escaped)."""
    return f'<span class="light-dot light-{light}" title="{tip}" data-light="{light}"></span><span class="visually-hidden">{tip}</span>'


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
        dot = _dot(light, f"{label}：{reason}" if reason else label)
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
