"""The score table of a period (per category, each unit's points expandable to their trace), a unit's own
points with the contest form, praise, collecting and publishing."""

from __future__ import annotations

import tempfile
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from duban.core import audit
from duban.core.actor import Actor
from duban.core.choices import Role, UnitCategory
from duban.core.errors import ServiceError
from duban.core.permissions import role_required
from duban.core.scope import unit_scope
from duban.scoring import excel, selectors, services
from duban.scoring import lists as listing
from duban.scoring.forms import ContestForm, PraiseForm
from duban.scoring.models import ScoreEvent
from duban.scoring.scores import RANKED, board
from duban.scoring.views import attempt

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _period(request):
    try:
        return selectors.period_from(request.GET.get("period") or request.POST.get("period"))
    except ServiceError as exc:
        messages.error(request, exc.message)
        return selectors.default_period()


def _sections(the_board, rows):
    return [{"category": UnitCategory(c).label, "key": c, "rows": [r for r in rows if r.category == c]} for c in RANKED]


@login_required
@require_GET
def score_board(request):
    """考核得分: the period's table per category; the office and principal leaders see every unit, a unit its own."""
    period = _period(request)
    the_board = board(period)
    rows = selectors.visible_rows(the_board, request.user)
    everything = selectors.sees_everything(request.user)
    lists = _lists(the_board) if everything else None
    return render(request, "scoring/board.html", {
        "period": period, "board": the_board, "sections": _sections(the_board, rows), "lists": lists,
        "office": Role.SUPERVISION in request.user.roles, "principal": Role.PRINCIPAL in request.user.roles,
        "praise_form": PraiseForm() if Role.PRINCIPAL in request.user.roles else None,
    })


def _lists(the_board):
    """The red and black lists as the board shows them: names per category."""
    drawn = the_board.published.lists if the_board.published else listing.draw(the_board)
    names = {r.unit_id: r.unit_name for r in the_board.rows}
    return [{"category": UnitCategory(c).label, "red": [names.get(i, "") for i in drawn[c]["red"]],
             "black": [names.get(i, "") for i in drawn[c]["black"]]} for c in RANKED if c in drawn]


@login_required
@require_GET
def export(request):
    """The board of a period as .xlsx: the same rows the user sees on the board, and the red and black lists for
    whoever sees them there."""
    period = _period(request)
    the_board = board(period)
    rows = selectors.visible_rows(the_board, request.user)
    lists = _lists(the_board) if selectors.sees_everything(request.user) else None
    output = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115  (FileResponse closes it)
    excel.workbook(the_board, rows, lists).save(output)
    output.seek(0)
    audit.record(Actor.from_request(request), "scoring.export", None, object_type="scoring.Publication",
                 after={"period": period.code, "rows": len(rows)}, message=f"导出{period.label}考核得分（{len(rows)} 个单位）")
    response = FileResponse(output, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(f'考核得分-{period.code}.xlsx')}"
    return response


@login_required
@require_GET
def my_points(request):
    """本单位得分: the units the user acts for, each point with its trace and, within the window, the contest form."""
    period = _period(request)
    the_board = board(period)
    scope = unit_scope(request.user)
    rows = [r for r in the_board.rows if not scope.everything and scope.allows(r.unit_id)]
    counted_for = {p.event_id: r.unit_id for r in rows for p in r.points}
    events = {e.pk: e for e in ScoreEvent.objects.filter(pk__in=list(counted_for)).select_related("unit", "contest")}
    today = timezone.localdate()
    deadlines = {pk: services.contest_deadline(e) for pk, e in events.items()}
    contestable = {pk for pk, e in events.items() if not hasattr(e, "contest") and today <= deadlines[pk]
                   and services.may_contest(request.user, e, counted_for[pk])}
    return render(request, "scoring/mine.html", {
        "period": period, "board": the_board, "rows": rows, "contestable": contestable, "deadlines": deadlines,
        "form": ContestForm(), "contest_days": settings.DUBAN_SCORING_CONTEST_DAYS,
    })


@login_required
@require_POST
def contest(request, pk: int):
    """申诉 one point (the form of 本单位得分)."""
    event = get_object_or_404(ScoreEvent.objects.select_related("unit"), pk=pk)
    if not services.may_contest(request.user, event):
        raise Http404
    form = ContestForm(request.POST)
    period = request.POST.get("period", "")
    if form.is_valid():
        attempt(request, lambda: services.raise_contest(Actor.from_request(request), event, reason=form.cleaned_data["reason"]),
                _("申诉已提交，县委督查室裁定后结果显示在得分明细中。"))
    else:
        messages.error(request, _("请写明申诉理由。"))
    return redirect(reverse("scoring:mine") + (f"?period={period}" if period else ""))


@role_required(Role.SUPERVISION)
@require_POST
def refresh(request):
    """重新汇总: collect the period's outcomes now (the hourly job does it too)."""
    period = _period(request)
    added = services.refresh(Actor.from_request(request), period)
    messages.success(request, _("已汇总，新增考核事件 %(count)s 条。") % {"count": added})
    return redirect(reverse("scoring:board") + f"?period={period.code}")


@role_required(Role.SUPERVISION)
@require_POST
def publish(request):
    """公布: freeze the period."""
    period = _period(request)
    attempt(request, lambda: services.publish(Actor.from_request(request), period),
            _("%(period)s 考核结果已公布，此后不再改变。") % {"period": period.label})
    return redirect(reverse("scoring:board") + f"?period={period.code}")


@role_required(Role.PRINCIPAL)
@require_POST
def praise(request):
    """领导表扬, entered by a principal leader."""
    form = PraiseForm(request.POST)
    if form.is_valid():
        attempt(request, lambda: services.give_praise(Actor.from_request(request), **form.cleaned_data),
                _("表扬已记录，将按考核细则计入该单位得分。"))
    else:
        messages.error(request, _("请选择单位并写明表扬事由。"))
    return redirect("scoring:board")
