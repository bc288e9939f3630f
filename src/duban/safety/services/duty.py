"""Duty roster services (值班值守, SPEC §7): one function per change, each checking who may and whether it is
legal now, writing, and recording the audit entry in one transaction.

    save_post ─ schedule_shifts → 待交接班 ─ confirm_handover → 已确认到岗 (one tap of the person on duty)
                                          └ cancel_shift → 已取消
    raise_lapses(now): a shift on a critical post unconfirmed past its start + DUBAN_DUTY_GRACE_MINUTES becomes a
    DutyLapse of the township, told to its head and liaisons at once; confirm_handover then closes it as 补确认,
    or the township closes it with what happened (close_lapse).

Nothing here asks for a location or a photo: the rules against fingertip formalism (SPEC: 为基层减负) want the
hand-over confirmed, not proven.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from duban.core import audit
from duban.core.actor import Actor
from duban.core.choices import Role, UnitKind
from duban.core.errors import Conflict, NotAllowed, ServiceError
from duban.core.models import Unit, User
from duban.matters import numbering
from duban.matters import services as kernel
from duban.safety.choices import CONFIRM_EARLY_MINUTES, ROSTER_MAX_DAYS, LapseEvent, LapseState, PostKind, ShiftState
from duban.safety.kind import LAPSE_KIND
from duban.safety.models import DutyLapse, DutyPost, Shift
from duban.safety.policies import may_keep_posts

JOB = Actor.system("值守巡检")
LOOKBACK_DAYS = 2  # the job looks this far back for unconfirmed shifts (a worker that was down for a night)
POST_FIELDS = ("name", "township", "kind", "critical", "active", "note")
KEEPER_REFUSAL = "只有值守点所在乡镇的一把手、联络员或县安委办可以{what}。"


def _day(day: dt.date) -> str:
    return f"{day.month}月{day.day}日"


def _text(value, what: str, field: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ServiceError(f"请填写{what}。", field=field)
    return value


def _keeper(actor: Actor, township_id: int | None, what: str) -> None:
    if actor.user is not None and not may_keep_posts(actor.user, township_id):
        raise NotAllowed(KEEPER_REFUSAL.format(what=what))


# --- posts -------------------------------------------------------------------------------------------


@transaction.atomic
def save_post(actor: Actor, post: DutyPost | None = None, *, name: str, township: Unit | None, kind: str = PostKind.LOOKOUT,
              critical: bool = False, active: bool = True, note: str = "") -> DutyPost:
    """设置值守点 (post None: a new one): its name, township, kind and whether it is critical (重点值守点) — the
    township's or the safety office's to say."""
    if township is None or township.kind != UnitKind.TOWNSHIP:
        raise ServiceError("请选择值守点所在的乡镇。", field="township")
    _keeper(actor, township.pk, "设置值守点")
    before = None
    if post is not None:
        post = DutyPost.objects.select_for_update().get(pk=post.pk)
        _keeper(actor, post.township_id, "修改值守点")
        before = audit.snapshot(post, POST_FIELDS)
        if post.township_id != township.pk and post.shifts.exists():
            raise ServiceError("该值守点已有班次，不能改到其他乡镇；请另设值守点。", field="township")
    else:
        post = DutyPost()
    name = _text(name, "值守点名称", "name")
    if kind not in PostKind.values:
        raise ServiceError("值守点类型只能是瞭望哨、检查站、网格或其他。", field="kind")
    if DutyPost.objects.filter(township=township, name=name).exclude(pk=post.pk).exists():
        raise ServiceError(f"{township.name}已有名为“{name}”的值守点。", field="name")
    post.name, post.township, post.kind, post.critical, post.active = name, township, kind, bool(critical), bool(active)
    post.note = (note or "").strip()[:200]
    post.updated_at = timezone.now()
    after = audit.snapshot(post, POST_FIELDS)
    if before == after:
        return post
    post.save()
    audit.record(actor, "duty.post.create" if before is None else "duty.post.update", post, before=before, after=after,
                 message=f"{'设置' if before is None else '修改'}值守点{post}{'（重点）' if post.critical else ''}")
    return post


# --- shifts -------------------------------------------------------------------------------------------


def _person(user, field: str) -> User:
    if user is None or not user.is_active:
        raise ServiceError("请选择在用账号的值班人员。", field=field)
    return user


@transaction.atomic
def schedule_shifts(actor: Actor, post: DutyPost, *, first: dt.date, last: dt.date | None = None, people, second_people=(),
                    start_time: dt.time = dt.time(8, 0), end_time: dt.time = dt.time(18, 0), note: str = "") -> list[Shift]:
    """排班: one shift a day at the post from `first` to `last` (a whole fire season in one go), the people taking
    turns in the order given (day 1 the first, day 2 the second …), the second people likewise."""
    _keeper(actor, post.township_id, "排班")
    if not post.active:
        raise ServiceError(f"值守点“{post.name}”已停用，请先启用。")
    last = last or first
    people = [_person(p, "people") for p in people or ()]
    seconds = [_person(p, "second_people") for p in second_people or ()]
    if not people:
        raise ServiceError("请选择值班人员。", field="people")
    if first < timezone.localdate():
        raise ServiceError("不能给已经过去的日期排班。", field="first")
    if last < first:
        raise ServiceError("结束日期不能早于开始日期。", field="last")
    days = (last - first).days + 1
    if days > ROSTER_MAX_DAYS:
        raise ServiceError(f"一次最多排 {ROSTER_MAX_DAYS} 天的班。", field="last")
    dates = [first + dt.timedelta(days=n) for n in range(days)]
    taken = sorted(Shift.objects.filter(post=post, date__in=dates, start_time=start_time).exclude(state=ShiftState.CANCELLED)
                   .values_list("date", flat=True))
    if taken:
        listed = "、".join(_day(d) for d in taken[:10]) + ("等" if len(taken) > 10 else "")
        raise ServiceError(f"{post.name}在{listed}已有 {start_time:%H:%M} 开始的班次，请先取消或换个时间。", field="first")
    shifts = []
    for n, day in enumerate(dates):
        person = people[n % len(people)]
        second = seconds[n % len(seconds)] if seconds else None
        if second is not None and second.pk == person.pk:
            raise ServiceError(f"{_day(day)}的两位值班人员是同一人（{person.full_name}），请调整轮班顺序。", field="second_people")
        shifts.append(Shift(post=post, person=person, second_person=second, date=day, start_time=start_time, end_time=end_time,
                            note=(note or "").strip()[:300], created_by=actor.user))
    created = Shift.objects.bulk_create(shifts)
    audit.record_many(actor, [{"action": "duty.shift.schedule", "obj": s, "after": audit.snapshot(s, ("post", "person", "second_person", "date", "start_time", "end_time", "state")),
                               "object_repr": f"{post} {_day(s.date)} {s.hours}", "message": f"排班：{post} {_day(s.date)} {s.people}"}
                              for s in created])
    return created


def confirm_window(shift: Shift) -> tuple[dt.datetime, dt.datetime]:
    """交接班 may be confirmed from an hour before the shift starts until it ends."""
    return shift.starts - dt.timedelta(minutes=CONFIRM_EARLY_MINUTES), shift.ends


def refusal_to_confirm(shift: Shift, user, now: dt.datetime | None = None) -> str:
    """Why `user` may not confirm the shift at `now` (in Chinese), or "" if they may."""
    now = now or timezone.now()
    if not shift.is_on_duty(user):
        return f"该班次的值班人员是{shift.people}，只有本班值班人员可以确认到岗。"
    if shift.state == ShiftState.CONFIRMED:
        return f"该班次已于{timezone.localtime(shift.confirmed_at):%H:%M}确认到岗。"
    if shift.state == ShiftState.CANCELLED:
        return "该班次已取消，无需确认。"
    opens, ends = confirm_window(shift)
    local = timezone.localtime(now)
    if now < opens:
        if local.date() != shift.date:
            return f"该班次是{_day(shift.date)}的班，请在值班当天确认到岗。"
        return f"该班次{shift.start_time:%H:%M}开始，{timezone.localtime(opens):%H:%M}起才能确认到岗。"
    if now > ends:
        return f"该班次已于{_day(timezone.localtime(ends).date())}{timezone.localtime(ends):%H:%M}结束，不能再确认到岗；如有情况请告知乡镇说明。"
    return ""


@transaction.atomic
def confirm_handover(actor: Actor, shift: Shift, *, note: str = "") -> Shift:
    """确认到岗/交接班: the one tap of the person on duty (or the second person), from an hour before the shift
    until its end. Confirmed after the lapse was raised, it closes the lapse as 补确认 (still on record)."""
    now = timezone.now()
    refusal = refusal_to_confirm(shift, actor.user, now)
    if refusal:
        raise NotAllowed(refusal) if not shift.is_on_duty(actor.user) else ServiceError(refusal)
    said = (note or "").strip()[:300]
    values = {"state": ShiftState.CONFIRMED, "confirmed_by": actor.user, "confirmed_at": now}
    if said:
        values["note"] = said
    if Shift.objects.filter(pk=shift.pk, state=ShiftState.SCHEDULED).update(**values) != 1:
        raise Conflict("该班次刚刚已被确认或取消，请刷新页面后再看。")
    for key, value in values.items():
        setattr(shift, key, value)
    local = timezone.localtime(now)
    audit.record(actor, "duty.shift.confirm", shift, before={"state": ShiftState.SCHEDULED},
                 after={"state": shift.state, "confirmed_by_id": actor.user.pk, "confirmed_at": now, "note": shift.note},
                 message=f"确认到岗：{shift.post} {_day(shift.date)} {shift.hours}（{local:%H:%M}）")
    lapse = DutyLapse.objects.select_for_update().filter(shift=shift, state=LapseState.OPEN).first()
    if lapse is not None:
        lapse.shift = shift
        kernel.perform(actor, lapse, "confirm_late", kind=LAPSE_KIND,
                       changes={"state": LapseState.CONFIRMED_LATE, "closed_by": actor.user, "closed_at": now,
                                "completed_on": local.date(), "closed_on": local.date(), "reason": f"{local:%H:%M} 补确认到岗"},
                       text=f"{actor.user.full_name}于{local:%H:%M}补确认到岗" + (f"：{said}" if said else ""))
    return shift


@transaction.atomic
def cancel_shift(actor: Actor, shift: Shift, *, reason: str) -> Shift:
    """取消班次 (a shift not yet confirmed): the township or the safety office, with the reason."""
    _keeper(actor, shift.post.township_id, "取消班次")
    said = _text(reason, "取消原因", "reason")[:200]
    if shift.state != ShiftState.SCHEDULED:
        raise ServiceError(f"该班次{shift.get_state_display()}，不能取消。")
    if DutyLapse.objects.filter(shift=shift).exists():
        raise ServiceError("该班次已因未确认到岗转为值守事项，请在事项中说明情况关闭。")
    if Shift.objects.filter(pk=shift.pk, state=ShiftState.SCHEDULED).update(state=ShiftState.CANCELLED, cancel_reason=said) != 1:
        raise Conflict("该班次刚刚已被确认或取消，请刷新页面后再看。")
    shift.state, shift.cancel_reason = ShiftState.CANCELLED, said
    audit.record(actor, "duty.shift.cancel", shift, before={"state": ShiftState.SCHEDULED},
                 after={"state": shift.state, "cancel_reason": said}, message=f"取消班次：{shift.post} {_day(shift.date)}：{said}")
    return shift


# --- lapses -------------------------------------------------------------------------------------------


@dataclass
class LapseRun:
    raised: int = 0
    messages: int = 0

    def describe(self) -> str | None:
        return f"值守未确认 {self.raised} 项，发送消息 {self.messages} 条" if self.raised else None


def due_for_lapse(now: dt.datetime):
    """Shifts on active critical posts, unconfirmed and without a lapse, whose start + grace has passed by `now`."""
    grace = dt.timedelta(minutes=settings.DUBAN_DUTY_GRACE_MINUTES)
    today = timezone.localdate(now)
    candidates = (Shift.objects.filter(state=ShiftState.SCHEDULED, post__critical=True, post__active=True, lapse__isnull=True,
                                       date__gte=today - dt.timedelta(days=LOOKBACK_DAYS), date__lte=today)
                  .select_related("post__township", "person", "second_person").order_by("date", "start_time", "id"))
    return [shift for shift in candidates if shift.starts + grace <= now]


def raise_lapses(now: dt.datetime | None = None) -> LapseRun:
    """The periodic job's body: each shift `due_for_lapse` becomes a DutyLapse of its township (due that day) and
    its head and liaisons are told at once. Re-runnable: a shift has one lapse at most (unique), found or made."""
    now = now or timezone.now()
    run = LapseRun()
    for shift in due_for_lapse(now):
        try:
            with transaction.atomic():
                run.messages += _raise(shift, now)
                run.raised += 1
        except IntegrityError:  # another run made this shift's lapse meanwhile
            continue
    return run


def _raise(shift: Shift, now: dt.datetime) -> int:
    post, township = shift.post, shift.post.township
    numbering.lock(LAPSE_KIND.key, shift.date.year)
    code = numbering.next_number(DutyLapse.objects.all(), "code", f"ZB{shift.date.year}-", 5)
    title = f"{post}{_day(shift.date)} {shift.hours} 班次未确认到岗（{shift.people}）"
    lapse = DutyLapse(code=code, shift=shift, post=post, title=title[:200], state=LapseState.OPEN, lead_unit=township,
                      responsible_person=shift.person, start_date=shift.date, due_date=shift.date)
    lapse.save()
    grace = settings.DUBAN_DUTY_GRACE_MINUTES
    text = f"{post}（重点值守点）{_day(shift.date)} {shift.start_time:%H:%M} 开班，{grace} 分钟后仍未确认到岗：{shift.people}"
    kernel.created(JOB, lapse, text=text, event=LapseEvent.RAISED, audit_action="raise", kind=LAPSE_KIND)
    return _tell(lapse, shift, text)


def township_keepers(township: Unit):
    """The township's head(s) and liaisons, who answer for its posts."""
    return (User.objects.filter(unit=township, is_active=True, role_grants__role__in=[Role.UNIT_HEAD, Role.LIAISON])
            .distinct().order_by("pk"))


def _tell(lapse: DutyLapse, shift: Shift, text: str) -> int:
    from duban.notify.services import Message, send

    url = LAPSE_KIND.url(lapse.code)
    township = shift.post.township
    messages = [Message(recipient=person, title=f"值守未确认：{shift.post.name} {shift.hours}", url=url, urgent=True,
                        kind="safety.duty_lapse", unit=township,
                        body=f"{text}。请立即核实人员是否到岗；到岗后由值班人员在手机上确认，或在系统中说明情况。")
                for person in township_keepers(township)]
    return send(messages)  # the township's group robots get it once: identical posts to a robot are sent once


@transaction.atomic
def close_lapse(actor: Actor, lapse: DutyLapse, *, reason: str) -> DutyLapse:
    """说明情况关闭: the township says what happened (人员已到岗、临时调整 …); closed, still on record."""
    said = (reason or "").strip()
    now = timezone.now()
    kernel.perform(actor, lapse, "close", guard=lambda: _text(said, "关闭说明", "reason"), kind=LAPSE_KIND,
                   changes={"state": LapseState.CLOSED, "reason": said[:300], "closed_by": actor.user, "closed_at": now,
                            "closed_on": timezone.localdate(now)},
                   text=f"说明情况关闭：{said}")
    return lapse
