"""The business office's desk (营商办工作台): its queues by step, most urgent first; the entry of appeals that
come by phone, visit, 12345 or a leader's visit; and the time limits table."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from duban.appeals import forms, services
from duban.appeals.choices import OPEN_STATES, AppealState, Category, EventKind, Urgency
from duban.appeals.kind import APPEAL_KIND, appeal_list
from duban.appeals.models import Appeal, TimeLimit
from duban.appeals.views.pages import appeal_url, appeals_page, require_desk_reader, with_shown
from duban.core.actor import Actor
from duban.core.choices import Role
from duban.core.errors import ServiceError
from duban.core.manage_forms import submit
from duban.core.permissions import role_required
from duban.matters.models import MatterEvent

QUEUE_SIZE = 20
office_page = role_required(Role.BUSINESS)


@dataclass
class Queue:
    """One step's appeals on the desk: how many, the most urgent first `QUEUE_SIZE`, and the list of all."""

    key: str
    label: str
    hint: str
    count: int
    rows: list
    link: str


# (key, label, what the office does, the filter, the list's parameters)
QUEUES = (
    ("submitted", gettext_lazy("待受理"), gettext_lazy("受理、不予受理，或与同一企业的在办诉求合并"), {"state": AppealState.SUBMITTED}, {"state": "submitted"}),
    ("accepted", gettext_lazy("待派单"), gettext_lazy("派给承办单位；被退单的，看退单理由后重新派单"), {"state": AppealState.ACCEPTED}, {"state": "accepted"}),
    ("dispatched", gettext_lazy("待签收"), gettext_lazy("承办单位应在签收时限内签收"), {"state": AppealState.DISPATCHED}, {"state": "dispatched"}),
    ("handling", gettext_lazy("办理中"), gettext_lazy("承办单位应在答复时限内答复企业"), {"state": AppealState.HANDLING}, {"state": "handling"}),
    ("extension", gettext_lazy("延期待审批"), gettext_lazy("复杂诉求申请延期，同意的按复杂诉求时限办理"), {"state": AppealState.HANDLING, "extension_requested": True},
     {"state": "handling"}),
    ("replied", gettext_lazy("待回访"), gettext_lazy("电话回访企业并记录满意度"), {"state": AppealState.REPLIED}, {"state": "replied"}),
)


@appeals_page
def desk(request):
    """营商办工作台: each step's queue, most urgent first (due_sort), with its count; possible duplicates offered on
    the appeals to accept, the reason of a send-back on those to dispatch again."""
    require_desk_reader(request.user)
    base = Appeal.objects.select_related("lead_unit", "holder_unit")
    queues = []
    for key, label, hint, where, params in QUEUES:
        rows = base.filter(**where).order_by("due_sort", "id")
        queues.append(Queue(key, str(label), str(hint), rows.count(), with_shown(rows[:QUEUE_SIZE], request.user), appeal_list(**params)))
    by_key = {q.key: q for q in queues}
    _mark_duplicates(by_key["submitted"].rows + by_key["accepted"].rows)
    _mark_sent_back(by_key["accepted"].rows)
    context = {"queues": queues, "office": request.user.has_role(Role.BUSINESS), "open_total": sum(q.count for q in queues if q.key != "extension")}
    return render(request, "appeals/staff_desk.html", context)


def _mark_duplicates(rows) -> None:
    """`.duplicates` on each row: how many other open appeals of the same enterprise and category there are
    (services.possible_duplicates' candidates), for all rows in one query."""
    keys = {(r.enterprise_key, r.category) for r in rows}
    if not keys:
        return
    others = (Appeal.objects.filter(enterprise_key__in={k for k, _c in keys}, category__in={c for _k, c in keys}, state__in=sorted(OPEN_STATES))
              .values_list("id", "enterprise_key", "category"))
    found: dict[tuple, set] = {}
    for pk, key, category in others:
        found.setdefault((key, category), set()).add(pk)
    for row in rows:
        row.duplicates = len(found.get((row.enterprise_key, row.category), set()) - {row.pk})


def _mark_sent_back(rows) -> None:
    """`.sent_back` on each sent-back row: the last send-back's words (one query for all)."""
    ids = [r.pk for r in rows if r.sendback_count]
    said: dict[int, str] = {}
    if ids:
        for matter_id, text in (MatterEvent.objects.filter(kind=APPEAL_KIND.key, matter_id__in=ids, event=EventKind.SENT_BACK)
                                .order_by("matter_id", "-at", "-id").values_list("matter_id", "text")):
            said.setdefault(matter_id, text)
    for row in rows:
        row.sent_back = said.get(row.pk, "")


@office_page
def appeal_new(request):
    """登记诉求: the office types in a phone, visit, 12345 or leader-visit appeal; the appeal's page next (with
    the same enterprise's open appeals of the category offered to merge)."""
    form = forms.AppealEntryForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        made = {}
        done, _conflict, status = submit(form, lambda: made.update(s=services.submit_appeal(Actor.from_request(request), **form.service_values())))
        if done:
            appeal = made["s"].appeal
            messages.success(request, _("已登记诉求 %(code)s，请受理。") % {"code": appeal.code})
            return redirect(appeal_url(appeal))
    return render(request, "appeals/staff_new.html", {"form": form}, status=status)


@office_page
def limits(request):
    """办理时限: the business office sets each step's limit per category and urgency (a row for every category,
    and a category's own row where it differs); a new limit holds for steps that start after it."""
    if request.method == "POST" and request.POST.get("clear"):  # a button with no days to check: the refusal, if any, is told above the table
        try:
            services.clear_time_limit(Actor.from_request(request), request.POST.get("category", ""), request.POST.get("urgency", ""))
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已取消该类别的单独时限，改按全部类别的时限。"))
        return redirect("appeals:limits")
    status = 200
    form = forms.TimeLimitForm(request.POST or None)
    if request.method == "POST":
        actor = Actor.from_request(request)
        if form.is_valid():
            data = form.cleaned_data
            done, _c, status = submit(form, lambda: services.set_time_limit(actor, data["category"] or "", data["urgency"], **form.days()))
            if done:
                messages.success(request, _("办理时限已保存，新时限对之后开始的办理环节生效。"))
                return redirect("appeals:limits")
    stored = {(r.category, r.urgency): r for r in TimeLimit.objects.all()}
    rows = []
    for category, label in [("", _("全部类别")), *Category.choices]:
        for urgency, urgency_label in Urgency.choices:
            row = stored.get((category, urgency))
            if category and row is None:
                continue
            days = {f: getattr(row, f) for f in TimeLimit.FIELDS} if row else TimeLimit.for_appeal("", urgency)
            rows.append({"category": category, "category_label": label, "urgency": urgency, "urgency_label": urgency_label,
                         "fields": [(f, days[f]) for f in TimeLimit.FIELDS],
                         "stored": row is not None, "override": bool(category)})
    headers = [TimeLimit._meta.get_field(f).verbose_name for f in TimeLimit.FIELDS]
    context = {"rows": rows, "headers": headers, "form": form, "max_days": forms.MAX_DAYS, "action": reverse("appeals:limits")}
    return render(request, "appeals/staff_limits.html", context, status=status)
