"""/api/v1/appeals… reads, the hotline's push, and the handling unit's moves (sign for, send back, reply)."""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Path, Query, Status

from duban.api.filtering import as_params, check
from duban.api.schemas import ERRORS
from duban.appeals import policies, privacy, selectors, services
from duban.appeals.api import router
from duban.appeals.api.schemas import (
    MULTIPLE,
    NOT_FOUND,
    SINGLE,
    ActionIn,
    AppealDetail,
    AppealPage,
    AppealQuery,
    AppealReplyIn,
    HotlineIn,
    HotlineOut,
    SendBackIn,
)
from duban.appeals.choices import AppealState, Channel, Outcome, Rating
from duban.appeals.models import Appeal, AppealUnit
from duban.core.actor import Actor
from duban.core.errors import NotAllowed, ServiceError

CODE = Path(..., max_length=24)
# Another appeal's number in a timeline line ("与 SQ2026-000012 重复"): it names the same enterprise.


def _ref(obj) -> dict | None:
    return None if obj is None else {"id": obj.pk, "name": obj.name}


def _local(value):
    return timezone.localtime(value) if value else None


def _item(a: Appeal, user) -> dict:
    who = privacy.shown(a, user)
    withheld = who.hidden
    return {
        "code": a.code, "channel": a.channel, "channel_label": a.get_channel_display(), "category": a.category,
        "category_label": a.get_category_display(), "urgency": a.urgency, "urgency_label": a.get_urgency_display(),
        "title": a.title, "identity_withheld": withheld,
        "enterprise_name": None if withheld else who.enterprise_name, "credit_code": None if withheld else who.credit_code,
        "contact_name": None if withheld else who.contact_name, "phone": None if withheld else who.phone,
        "hotline_ref": None if withheld else a.hotline_ref,
        "lead_unit": _ref(a.lead_unit), "holder_unit": _ref(a.holder_unit), "state": a.state, "state_label": a.get_state_display(),
        "light": a.light, "light_reason": a.light_reason, "due_date": a.due_date, "submitted_on": a.start_date,
        "accepted_at": _local(a.accepted_at), "replied_at": _local(a.replied_at), "outcome": a.outcome, "rating": a.rating,
        "sendback_count": a.sendback_count, "reopen_count": a.reopen_count, "repeat": a.repeat_of_id is not None,
        "excluded": a.excluded, "escalated": a.escalated,
    }


def _appeal_or_404(request, code: str) -> Appeal:
    try:
        return selectors.appeal_for(request.auth, code)
    except Http404:
        raise Http404(NOT_FOUND.format(code=code)) from None


def _reply(r) -> dict:
    return {
        "round": r.round, "unit": _ref(r.unit), "person": (r.person.full_name or r.person.username) if r.person else "",
        "public_text": r.public_text, "internal_note": r.internal_note, "outcome": r.outcome,
        "outcome_label": str(Outcome(r.outcome).label) if r.outcome in Outcome.values else r.outcome, "legal_basis": r.legal_basis,
        "replied_at": _local(r.replied_at), "due_date": r.due_date, "on_time": r.on_time, "rating": r.rating,
        "rating_label": str(Rating(r.rating).label) if r.rating in Rating.values else "", "rating_comment": r.rating_comment,
        "rated_via": r.rated_via, "rated_at": _local(r.rated_at),
    }


def _event(e, appeal: Appeal, withheld: bool) -> dict:
    text = privacy.timeline_text(e.text, appeal, withheld)
    return {"at": _local(e.at), "event": e.event, "label": e.label, "person": e.person_name, "unit": _ref(e.unit), "text": text}


def _detail(request, code: str) -> dict:
    user = request.auth
    a = _appeal_or_404(request, code)
    item = _item(a, user)
    withheld = item["identity_withheld"]
    cooperating = (AppealUnit.objects.filter(appeal=a).select_related("unit").order_by("unit__sort_key", "unit_id"))
    return {
        **item, "version": a.version, "description": a.description, "identity_hidden": a.identity_hidden,
        "cooperating_units": [_ref(link.unit) for link in cooperating], "leader_in_charge": _leader(a.leader_in_charge),
        "accepted_on": a.accepted_on, "decline_reason": a.decline_reason, "dispatched_at": _local(a.dispatched_at),
        "signed_at": _local(a.signed_at), "is_complex": a.is_complex, "extension_requested": a.extension_requested,
        "extension_reason": a.extension_reason, "excluded_reason": a.excluded_reason,
        "repeat_of": None if withheld or a.repeat_of is None else a.repeat_of.code,
        "merged_into": None if withheld or a.merged_into is None else a.merged_into.code,
        "promoted_task": a.promoted_task.code if a.promoted_task_id and a.promoted_task else None, "closed_on": a.closed_on,
        "replies": [_reply(r) for r in selectors.replies_of(a)],
        "timeline": [_event(e, a, withheld) for e in selectors.timeline(a)],
        "actions": services.available_actions(a, user),
    }


def _leader(user) -> dict | None:
    return None if user is None else {"id": user.pk, "name": user.full_name or user.username}


@router.get("/appeals", response={200: AppealPage, **ERRORS}, summary="企业诉求列表")
def list_appeals(request, filters: Query[AppealQuery]):
    """调用者职责范围内的企业诉求（与诉求列表页、导出同一套筛选）；按游标翻页。承办单位看不到要求保密的企业身份。"""
    listing = selectors.listing(request, as_params(filters, SINGLE, MULTIPLE))
    check(listing.filterset)
    page = selectors.page_of(listing.rows, filters.cursor, filters.limit, sort=filters.sort)
    return {"items": [_item(a, request.auth) for a in page.rows], "next": page.next_cursor, "prev": page.prev_cursor}


@router.get("/appeals/{code}", response={200: AppealDetail, **ERRORS}, summary="企业诉求详情")
def get_appeal(request, code: str = CODE):
    """诉求内容、企业信息（按调用者可见的程度）、配合单位、逐轮答复与评价、办理记录，以及调用者现在可以办理的操作。"""
    return _detail(request, code)


@router.post("/appeals", response={200: HotlineOut, 201: HotlineOut, **ERRORS}, summary="推送 12345 热线诉求")
def push_hotline(request, payload: HotlineIn):
    """12345 热线系统把企业诉求推送过来（来源渠道：12345热线），须使用县营商办账号（如“12345热线对接”专用账号）的访问令牌。

    返回受理编号和查询码（查询码只返回这一次，请话务员告知企业）。同一热线工单号重复推送（如超时重试）不会重复登记：
    返回 200 和原诉求的受理编号，不再返回查询码。"""
    if not policies.is_desk(request.auth):
        raise NotAllowed(_("只有县营商办的账号可以推送 12345 热线诉求，请用县营商办为热线系统开设的账号创建访问令牌。"))
    try:
        made = services.submit_appeal(Actor.from_request(request), channel=Channel.HOTLINE, **payload.dict())
    except NotAllowed:
        raise
    except ServiceError as exc:
        # The service's own refusal of what was sent (a wrong credit code, a phone it cannot read): the request is
        # at fault, as with the schema's refusals, so 422 with the service's message and field.
        return Status(422, {"detail": exc.message, "field": exc.field,
                     "errors": [{"loc": ["body", exc.field or ""], "field": exc.field, "msg": exc.message, "type": "value_error"}]})
    appeal = made.appeal
    answer = {"code": appeal.code, "query_code": None if made.existing else made.query_code, "existing": made.existing,
              "state": appeal.state, "state_label": str(AppealState(appeal.state).label), "track_url": request.build_absolute_uri(reverse("appeal:track"))}
    return Status(200 if made.existing else 201, answer)


@router.post("/appeals/{code}/transitions/sign", response={200: AppealDetail, **ERRORS}, summary="签收")
def sign(request, payload: ActionIn, code: str = CODE):
    """承办单位签收派来的诉求，答复时限从今天起算。"""
    services.sign_appeal(Actor.from_request(request), _appeal_or_404(request, code), expected_version=payload.version)
    return _detail(request, code)


@router.post("/appeals/{code}/transitions/send_back", response={200: AppealDetail, **ERRORS}, summary="退单")
def send_back(request, payload: SendBackIn, code: str = CODE):
    """不属于本单位职责的，写明理由退回县营商办重新派单（计入本单位退单次数）。"""
    services.send_back_appeal(Actor.from_request(request), _appeal_or_404(request, code), reason=payload.reason,
                              expected_version=payload.version)
    return _detail(request, code)


@router.post("/appeals/{code}/transitions/reply", response={200: AppealDetail, **ERRORS}, summary="答复")
def reply(request, payload: AppealReplyIn, code: str = CODE):
    """答复企业：答复内容、办理结果（无法解决的须写明法律政策依据）、内部说明；之后由县营商办回访。"""
    services.reply_appeal(Actor.from_request(request), _appeal_or_404(request, code), public_text=payload.public_text,
                          outcome=payload.outcome, internal_note=payload.internal_note, legal_basis=payload.legal_basis,
                          expected_version=payload.version)
    return _detail(request, code)

