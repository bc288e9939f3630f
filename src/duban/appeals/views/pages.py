"""The appeal list, the appeal page and one action page per transition. Views only validate, load through
the selectors (scoped) and call one service; what of the enterprise a reader sees is `privacy.shown`, always."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from duban.appeals import forms, selectors, services
from duban.appeals.choices import AppealState, RatedVia
from duban.appeals.filters import LINK_ONLY
from duban.appeals.kind import APPEAL_KIND, STEP_WORDS
from duban.appeals.machine import APPEAL_MACHINE
from duban.appeals.models import Appeal, AppealUnit, TimeLimit
from duban.appeals.policies import is_desk
from duban.appeals.privacy import shown, timeline_text
from duban.appeals.tables import appeal_rows, filter_controls
from duban.core import attachments as attachment_store
from duban.core.choices import BUSINESS_ROLES, Role
from duban.core.models import Unit
from duban.core.paging import BadCursor
from duban.core.permissions import role_required
from duban.matters.choices import Light
from duban.matters.pages import ActionPage, action_view, page_for
from duban.matters.pages import why_not as kind_why_not
from duban.supervision.selectors import actions_for_matter

PAGE_SIZE = 50
# Every business role may open the list (each sees exactly its appeals: Appeal.objects.visible_to); the three
# admins have no business data.
appeals_page = role_required(*sorted(BUSINESS_ROLES))
# The step's limit a state runs on (TimeLimit's field), for the appeal page's clock.
STEP_LIMIT = {AppealState.SUBMITTED: "accept_days", AppealState.ACCEPTED: "dispatch_days", AppealState.DISPATCHED: "sign_days",
              AppealState.HANDLING: "reply_days", AppealState.REPLIED: "callback_days"}


def appeal_url(appeal) -> str:
    return reverse("appeals:appeal_detail", args=[appeal.code])


def with_shown(rows, user) -> list:
    """Each row with `.shown`: the enterprise as this reader may see it (never the raw fields in a template)."""
    rows = list(rows)
    for row in rows:
        row.shown = shown(row, user)
    return rows


@appeals_page
def appeal_list(request):
    """企业诉求台账: the appeals the user sees, filtered (the one AppealFilter), keyset-paged, counted by light."""
    query = request.GET
    listing = selectors.listing(request, query)
    cursor_error = ""
    sort = query.get("sort", "due")
    try:
        page = selectors.page_of(listing.rows, query.get("cursor"), PAGE_SIZE, sort=sort)
    except BadCursor as exc:
        cursor_error = str(exc)
        page = selectors.page_of(listing.rows, None, PAGE_SIZE, sort=sort)
    page.rows = with_shown(page.rows, request.user)
    cards, rows = appeal_rows(page.rows)
    lights = [{"value": v, "label": label, "count": listing.light_counts.get(v, 0)} for v, label in Light.choices]
    form = listing.filterset.form
    units = list(Unit.objects.order_by("sort_key").values_list("pk", "name"))  # both unit selects' options, one query
    controls = filter_controls(form, [name for name in form.fields if name not in LINK_ONLY], units)
    kept = [(name, value) for name in LINK_ONLY for value in query.getlist(name) if value]
    context = {"page": page, "cards": cards, "rows": rows, "form": form, "controls": controls, "kept": kept, "lights": lights, "total": listing.total, "cursor_error": cursor_error,
               "desk": is_desk(request.user), "query": query.urlencode(), "sort": sort}
    return render(request, "appeals/staff_list.html", context)


# --- what may be done now, and why not ----------------------------------------------------------------


def blocked(appeal: Appeal, name: str, duplicates=None) -> str:
    """The guard a service would refuse `name` by although the state allows it ('' if none): so the action
    bar offers only what would go through, and an action page opened anyway says why not."""
    if name == "exclude" and appeal.excluded:
        return _("该诉求已不纳入考核。")
    if name == "include" and not appeal.excluded:
        return _("该诉求本来就纳入考核。")
    if name == "decide_extension" and not appeal.extension_requested:
        return _("该诉求没有待审批的延期申请。")
    if name == "request_extension" and appeal.is_complex:
        return _("该诉求已按复杂诉求延期，不能再次申请。")
    if name == "request_extension" and appeal.extension_requested:
        return _("延期申请已提交，请等待县营商办审批。")
    if name == "promote" and appeal.promoted_task_id:
        return _("诉求 %(code)s 已转为重点工作任务 %(task)s，不能重复转。") % {"code": appeal.code, "task": appeal.promoted_task.code}
    if name == "merge" and duplicates is not None and not duplicates:
        return _("没有同一企业、同一类别的在办诉求，无需合并。")
    return ""


def why_not(appeal: Appeal, user, name: str, duplicates=None) -> str:
    """Why `user` may not take `name` now ('' if they may): who may, then the state, as the runner refuses
    by (the machine's declarations, `matters.pages.why_not`), then the services' guards."""
    refusal, _status = kind_why_not(APPEAL_KIND, appeal, user, name)
    return refusal or blocked(appeal, name, duplicates)


def available(appeal: Appeal, user, duplicates=None) -> list[str]:
    """The action bar: every transition of the machine `user` may take now and whose guards would pass
    (the two not offered by the machine's own bar — deciding an extension, undoing 不纳入考核 — when they apply)."""
    names = []
    for transition in APPEAL_MACHINE.available(appeal.state):
        if transition.permits(appeal, user) and not blocked(appeal, transition.name, duplicates):
            if transition.offered or transition.name in {"decide_extension", "include"}:
                names.append(transition.name)
    return names


# --- the appeal page ----------------------------------------------------------------------------------


@appeals_page
def appeal_detail(request, code):
    """The appeal page: the enterprise as the reader may see it, the clock, the units, replies round by round,
    linked appeals and task, the timeline and 督办记录, and the actions the reader may take now."""
    user = request.user
    appeal = selectors.appeal_for(user, code)
    desk = is_desk(user)
    duplicates = services.possible_duplicates(appeal) if desk and appeal.state in (AppealState.SUBMITTED, AppealState.ACCEPTED) else None
    names = available(appeal, user, duplicates)
    visible = selectors.visible(user)
    step_field = STEP_LIMIT.get(appeal.state)
    if step_field == "reply_days" and appeal.is_complex:
        step_field = "complex_days"
    who = shown(appeal, user)
    events = selectors.timeline(appeal)
    if who.hidden:  # the enterprise's other appeals would say who it is: neither linked nor named
        for event in events:
            event.text = timeline_text(event.text, appeal, True)
    context = {
        "appeal": appeal, "shown": who, "desk": desk, "links_withheld": who.hidden,
        "attachments": attachment_store.for_owner(appeal),
        "cooperating": list(Unit.objects.filter(pk__in=AppealUnit.objects.filter(appeal=appeal).values("unit_id")).order_by("sort_key")),
        "replies": selectors.replies_of(appeal),
        "repeats": [] if who.hidden else list(visible.filter(repeat_of=appeal).only("id", "code", "title", "state").order_by("-id")[:20]),
        "merged": [] if who.hidden else list(visible.filter(merged_into=appeal).only("id", "code", "title", "state").order_by("-id")[:20]),
        "duplicates": with_shown(duplicates or [], user),
        "step": STEP_WORDS.get(appeal.state, ""),
        "step_days": TimeLimit.for_appeal(appeal.category, appeal.urgency)[step_field] if step_field else None,
        "events": events,
        "supervision_actions": actions_for_matter(appeal, user),
        "one_click": [ACTIONS[n] for n in names if n in ONE_CLICK],
        "buttons": [ACTIONS[n] for n in names if n not in ONE_CLICK],
        "may_read_internal": desk or user.has_role(Role.LIAISON, Role.UNIT_HEAD),
    }
    return render(request, "appeals/staff_detail.html", context)


# --- one page per transition --------------------------------------------------------------------------


def _reason(label, help_text=""):
    """ReasonForm's words for one decision."""
    return {"reason_label": label, "reason_help": help_text}


ACTION_LIST = [
    ActionPage("accept", "accept", gettext_lazy("受理"), forms.AcceptForm,
               lambda actor, a, f: services.accept_appeal(actor, a, category=f.cleaned_data["category"], urgency=f.cleaned_data["urgency"],
                                                          expected_version=f.seen_version),
               gettext_lazy("已受理，请在派单时限内派单。"), style="success"),
    ActionPage("dispatch", "dispatch", gettext_lazy("派单"), forms.DispatchForm,
               lambda actor, a, f: services.dispatch_appeal(actor, a, lead_unit=f.cleaned_data["lead_unit"],
                                                            cooperating_units=list(f.cleaned_data["cooperating_units"]),
                                                            note=f.cleaned_data["note"], expected_version=f.seen_version),
               gettext_lazy("已派单。")),
    ActionPage("sign", "sign", gettext_lazy("签收"), forms.VersionForm,
               lambda actor, a, f: services.sign_appeal(actor, a, expected_version=f.seen_version),
               gettext_lazy("已签收，请在答复时限内答复企业。"), style="success"),
    ActionPage("reply", "reply", gettext_lazy("答复"), forms.ReplyForm,
               lambda actor, a, f: services.reply_appeal(actor, a, public_text=f.cleaned_data["public_text"], outcome=f.cleaned_data["outcome"],
                                                         internal_note=f.cleaned_data["internal_note"], legal_basis=f.cleaned_data["legal_basis"],
                                                         expected_version=f.seen_version),
               gettext_lazy("已答复，县营商办将电话回访企业。")),
    ActionPage("rate", "rate", gettext_lazy("回访评价"), forms.RateForm,
               lambda actor, a, f: services.rate_appeal(actor, a, rating=f.cleaned_data["rating"], comment=f.cleaned_data["comment"],
                                                        via=RatedVia.CALLBACK, expected_version=f.seen_version),
               gettext_lazy("已记录回访评价。")),
    ActionPage("request_extension", "request-extension", gettext_lazy("申请延期"), forms.ReasonForm,
               lambda actor, a, f: services.request_extension(actor, a, reason=f.cleaned_data["reason"], expected_version=f.seen_version),
               gettext_lazy("已申请延期，请等待县营商办审批。"), style="outline-primary",
               form_kwargs=_reason(gettext_lazy("延期理由"), gettext_lazy("批准后按复杂诉求办理，答复时限自签收起算。"))),
    ActionPage("decide_extension", "decide-extension", gettext_lazy("审批延期"), forms.DecideExtensionForm,
               lambda actor, a, f: services.decide_extension(actor, a, approve=f.cleaned_data["approve"], note=f.cleaned_data["note"],
                                                             expected_version=f.seen_version),
               gettext_lazy("已审批延期申请。")),
    ActionPage("send_back", "send-back", gettext_lazy("退单"), forms.ReasonForm,
               lambda actor, a, f: services.send_back_appeal(actor, a, reason=f.cleaned_data["reason"], expected_version=f.seen_version),
               gettext_lazy("已退单，县营商办将重新派单。"), style="outline-danger",
               form_kwargs=_reason(gettext_lazy("退单理由"), gettext_lazy("说明为什么不属于本单位职责、应由哪个单位办理。退单次数计入本单位。"))),
    ActionPage("merge", "merge", gettext_lazy("合并为重复诉求"), forms.MergeForm,
               lambda actor, a, f: services.merge_appeal(actor, a, into=f.cleaned_data["into"], expected_version=f.seen_version),
               gettext_lazy("已合并。"), style="outline-secondary"),
    ActionPage("decline", "decline", gettext_lazy("不予受理"), forms.ReasonForm,
               lambda actor, a, f: services.decline_appeal(actor, a, reason=f.cleaned_data["reason"], expected_version=f.seen_version),
               gettext_lazy("已不予受理。"), style="outline-danger",
               form_kwargs=_reason(gettext_lazy("不予受理理由"), gettext_lazy("企业在查询页面看到这段理由。"))),
    ActionPage("edit", "edit", gettext_lazy("修改诉求"), forms.EditForm,
               lambda actor, a, f: services.edit_appeal(actor, a, expected_version=f.seen_version, **f.changes()),
               gettext_lazy("已修改。"), style="outline-secondary"),
    ActionPage("exclude", "exclude", gettext_lazy("不纳入考核"), forms.ReasonForm,
               lambda actor, a, f: services.exclude_appeal(actor, a, reason=f.cleaned_data["reason"], expected_version=f.seen_version),
               gettext_lazy("已标记为不纳入考核。"), style="outline-secondary",
               form_kwargs=_reason(gettext_lazy("不纳入考核的理由"), gettext_lazy("如：不属于县级事权，或诉求明显不合理。诉求仍在台账中，不计入各项比率。"))),
    ActionPage("include", "include", gettext_lazy("恢复纳入考核"), forms.VersionForm,
               lambda actor, a, f: services.include_appeal(actor, a, expected_version=f.seen_version),
               gettext_lazy("已恢复纳入考核。"), style="outline-secondary"),
    ActionPage("promote", "promote", gettext_lazy("转为重点工作任务"), forms.PromoteForm,
               lambda actor, a, f: services.promote_appeal(actor, a, campaign=f.cleaned_data["campaign"], expected_version=f.seen_version),
               gettext_lazy("已转为重点工作任务（草稿），请到重点工作台账补全后立账交办。"), style="outline-primary"),
]
ACTIONS = {page.name: page for page in ACTION_LIST}
BY_SLUG = {page.slug: page for page in ACTION_LIST}
# Nothing to fill in: the appeal page posts these directly (their page exists for a refusal to be shown on).
ONE_CLICK = frozenset({"sign", "include"})


@appeals_page
def appeal_action(request, code, action):
    """One transition's page: its form (with the version the user saw), or why the user may not take it now."""
    page = page_for(BY_SLUG, action)
    user = request.user
    appeal = selectors.appeal_for(user, code)
    duplicates = services.possible_duplicates(appeal) if page.name == "merge" and is_desk(user) else None
    refusal = why_not(appeal, user, page.name, duplicates)
    kwargs = dict(page.form_kwargs)
    if page.name == "merge":
        kwargs["duplicates"] = duplicates or []
    form = page.form(request.POST or None, appeal=appeal, user=user, **kwargs)

    def context(appeal):
        return {"appeal": appeal, "shown": shown(appeal, user), "action_url": reverse("appeals:appeal_action", args=[appeal.code, page.slug]),
                # the answer being rated; and, replying again after an unsatisfied call-back, what was said and why not
                "last_reply": selectors.replies_of(appeal)[-1:] if page.name == "rate" or (page.name == "reply" and appeal.reopen_count) else [],
                "sent_back": _sent_back(appeal) if page.name == "dispatch" else ""}

    return action_view(request, page, appeal, form=form, refusal=refusal, status=403 if refusal else 200, back=appeal_url(appeal),
                       run=lambda actor: page.run(actor, appeal, form), template="appeals/staff_action.html", context=context,
                       reload=lambda: selectors.appeal_for(user, code))


def _sent_back(appeal) -> str:
    """The last send-back's words (the office reads why before dispatching again)."""
    from duban.appeals.choices import EventKind
    from duban.matters.models import MatterEvent

    if not appeal.sendback_count:
        return ""
    event = (MatterEvent.objects.filter(kind=APPEAL_KIND.key, matter_id=appeal.pk, event=EventKind.SENT_BACK)
             .order_by("-at", "-id").values_list("text", flat=True).first())
    return event or ""


def require_desk_reader(user) -> None:
    """The desk's queues: the business office; principal leaders and the supervision office may read them
    (they see every appeal anyway and ask the office about its backlog); nobody else."""
    if not (is_desk(user) or user.has_role(Role.PRINCIPAL, Role.SUPERVISION)):
        raise PermissionDenied(_("县营商办工作台只对县营商办、主要领导和县督查室开放；您可以在“企业诉求”台账中查看本单位的诉求。"))

