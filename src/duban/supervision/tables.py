"""The rows of the 督办记录 list, written in Python (as ledger.tables writes the ledger list's): through the
template, 50 eight-column rows cost more than everything else on the page (issue 14, docs/benchmarks.md)."""

from __future__ import annotations

from html import escape

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from duban.supervision.choices import ActionKind, ActionState

# What a row shows (SupervisionAction.objects…only(*ROW_FIELDS)): the names of its unit and people, no more.
ROW_FIELDS = ("id", "kind", "state", "slot", "number", "matter_code", "matter_title", "automatic", "issued_on", "reply_due",
              "target_unit__name", "target_person__full_name", "issued_by__full_name")
ROW = (
    '<tr data-kind="{kind}" data-action="{pk}">'
    '<td class="text-nowrap">{issued}</td>'
    '<td class="text-nowrap"><a href="{url}">{kind_label}{again}</a></td>'
    '<td class="text-nowrap small">{number}</td>'
    '<td><span class="small text-muted">{code}</span> {title}</td>'
    '<td class="small">{target}</td>'
    '<td class="small text-nowrap">{issuer}</td>'
    '<td class="text-nowrap{late}">{reply_due}</td>'
    '<td class="text-nowrap">{state_label}</td>'
    "</tr>"
)


def action_rows(actions, today) -> SafeString:
    """The <tr> of each action: 督办日期, 督办方式, 文号, 事项, 督办对象, 发出, 回复期限, 状态. Every value escaped."""
    kinds = {value: escape(str(label)) for value, label in ActionKind.choices}
    states = {value: escape(str(label)) for value, label in ActionState.choices}
    again, by_ladder = "（" + escape(_("再次")) + "）", escape(_("系统按梯度"))  # (no f-string: xgettext reads none)
    detail = reverse("supervision:action_detail", args=[0])[:-2]  # …/actions/0/ without "0/"

    def row_html(a):
        target = escape(a.target_unit.name) if a.target_unit_id else ""
        if a.target_person_id:
            target += " " + escape(a.target_person.full_name)
        issuer = by_ladder if a.automatic else escape((a.issued_by.full_name if a.issued_by_id else "") or "—")
        late = a.state == ActionState.OPEN and a.reply_due is not None and a.reply_due < today
        return ROW.format(
            kind=escape(a.kind), pk=a.pk, issued=a.issued_on.isoformat(), url=f"{detail}{a.pk}/",
            kind_label=kinds.get(a.kind, escape(a.kind)), again=again if a.slot == "notice-2" else "",
            number=escape(a.number or "—"), code=escape(a.matter_code), title=escape(Truncator(a.matter_title).chars(36)),
            target=target, issuer=issuer, late=" text-danger fw-semibold" if late else "",
            reply_due=a.reply_due.isoformat() if a.reply_due else "—", state_label=states.get(a.state, escape(a.state)),
        )

    return mark_safe("".join(row_html(a) for a in actions))
