"""What a supervision action says, to whom it goes, and its document number (县督字〔2026〕12号)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.db.models import F

from duban.core.choices import Role
from duban.core.models import RoleGrant, Unit, User
from duban.supervision import ladder as rungs
from duban.supervision.choices import ActionKind
from duban.supervision.models import NoticeNumber, SupervisionAction


def notice_word() -> str:
    return getattr(settings, "DUBAN_NOTICE_WORD", "县督字")


def issuer_name() -> str:
    return getattr(settings, "DUBAN_NOTICE_ISSUER", "县委县政府督查室")


def format_number(year: int, n: int) -> str:
    return f"{notice_word()}〔{year}〕{n}号"


def allocate_numbers(notices: list[SupervisionAction]) -> None:
    """Give each notice the next number of its year, in order; the year's counter row is locked meanwhile."""
    by_year: dict[int, list[SupervisionAction]] = defaultdict(list)
    for notice in notices:
        by_year[notice.issued_on.year].append(notice)
    for year, items in sorted(by_year.items()):
        NoticeNumber.objects.get_or_create(year=year)
        counter = NoticeNumber.objects.select_for_update().get(year=year)
        NoticeNumber.objects.filter(year=year).update(last=F("last") + len(items))
        for offset, notice in enumerate(items, start=1):
            notice.number = format_number(year, counter.last + offset)


def _date(day: dt.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else "—"


# What each step asks of the unit, where the kind says nothing of its own (MatterKind.demands): the ledger asks
# for a completion request (申请销账), an appeal for a reply to the enterprise.
DEMANDS = {
    ActionKind.REMIND: "请抓紧推进，按时办结；确实无法按期完成的，请及时说明原因。",
    ActionKind.URGE: "请立即办结；未能办结的，请说明原因和下步打算。",
}


def text_for(kind, item: rungs.Due, code: str, title: str, due: dt.date, progress: int) -> str:
    """The words of an action the ladder fires: from the ladder's dates, never the sweep's clock."""
    step = item.step
    what = f"{kind.label}“{title}”（编号 {code}）"
    demand = kind.demands.get(step.kind) or DEMANDS.get(step.kind, "")
    if step.kind == ActionKind.REMIND:
        return f"{what}应于{_date(due)}前完成，距完成时限还有 {-step.offset} 个工作日，当前进度 {progress}%。{demand}"
    if step.kind == ActionKind.URGE:
        return f"{what}完成时限为{_date(due)}，已到期，当前进度 {progress}%。{demand}"
    if step.kind == ActionKind.NOTICE:
        again = "再次" if item.slot == rungs.NOTICE_AGAIN else ""
        late = f"已逾期 {step.offset} 个工作日" if step.offset > 0 else "已到期"
        if again:
            return (f"{what}完成时限为{_date(due)}，督办通知单逾期未回复，现{again}督办。请于{_date(item.reply_due)}前"
                    "书面回复办理情况、未按期完成的原因和整改措施。")
        return (f"{what}完成时限为{_date(due)}，{late}，当前进度 {progress}%。请于{_date(item.reply_due)}前书面回复"
                "办理情况、未按期完成的原因和整改措施。")
    if step.kind == ActionKind.INTERVIEW:
        return (f"{what}完成时限为{_date(due)}，逾期 {step.offset} 个工作日仍未办结。建议分管县领导约谈承办单位主要负责人，"
                "约谈结果请反馈县委县政府督查室。")
    if step.kind == ActionKind.ACCOUNTABILITY:
        return (f"{what}完成时限为{_date(due)}，逾期未办结且经督办仍未落实。建议按规定启动问责程序，"
                "由主要领导研究决定；本建议仅作记录，不自动产生处理结果。")
    return what


def title_for(action: SupervisionAction, labels: dict[str, str] | None = None) -> str:
    label = (labels or kind_labels())[action.kind]
    if action.kind == ActionKind.NOTICE:
        again = "再次督办" if action.slot == rungs.NOTICE_AGAIN else "督办通知单"
        return f"【{again}】{action.number}：{action.matter_code} {action.matter_title[:40]}"
    return f"【{label}】{action.matter_code} {action.matter_title[:40]}"


def kind_labels() -> dict[str, str]:
    """Labels in the current language, read once per batch (a lazy label costs a gettext on every use)."""
    return {value: str(label) for value, label in ActionKind.choices}


URGENT = {ActionKind.NOTICE, ActionKind.INTERVIEW, ActionKind.ACCOUNTABILITY}


class Recipients:
    """Who hears of an action, read once per sweep: each unit's head and liaisons, the office, principals."""

    def __init__(self):
        self.unit_people: dict[int, list[User]] = defaultdict(list)
        self.office: list[User] = []
        self.principals: list[User] = []
        grants = (RoleGrant.objects.filter(user__is_active=True, role__in=[Role.UNIT_HEAD, Role.LIAISON, Role.SUPERVISION, Role.PRINCIPAL])
                  .select_related("user").order_by("user_id"))
        for grant in grants:
            user = grant.user
            if grant.role in (Role.UNIT_HEAD, Role.LIAISON) and user.unit_id:
                if user not in self.unit_people[user.unit_id]:
                    self.unit_people[user.unit_id].append(user)
            elif grant.role == Role.SUPERVISION:
                self.office.append(user)
            elif grant.role == Role.PRINCIPAL:
                self.principals.append(user)
        self.users: dict[int, User] = {}

    def person(self, user_id: int | None) -> User | None:
        if user_id is None:
            return None
        if user_id not in self.users:
            self.users[user_id] = User.objects.filter(pk=user_id, is_active=True).first()
        return self.users[user_id]

    def for_action(self, action: SupervisionAction) -> tuple[list[User], list[User]]:
        """(people the action is addressed to, people told of it): deduplicated, in that order."""
        unit = self.unit_people.get(action.target_unit_id, [])
        # The matter's leader in charge (set by whoever issues the action; the interview names them as target).
        leader = [u for u in [self.person(action.target_person_id or getattr(action, "leader_id", None))] if u]
        if action.kind == ActionKind.INTERVIEW:
            addressed, told = leader, self.office
        elif action.kind == ActionKind.ACCOUNTABILITY:
            addressed, told = self.principals, self.office
        elif action.kind == ActionKind.NOTICE:
            addressed, told = unit, leader
        else:
            addressed, told = unit, []
        seen: set[int] = set()
        first = [u for u in addressed if not (u.pk in seen or seen.add(u.pk))]
        second = [u for u in told if not (u.pk in seen or seen.add(u.pk))]
        return first, second


def messages_for(kind, actions: list[SupervisionAction], recipients: Recipients | None = None) -> int:
    """Inbox copies (and pushes) of new actions; returns how many messages were written."""
    from duban.notify.services import Message, send

    recipients = recipients or Recipients()
    units = {u.pk: u for u in Unit.objects.filter(pk__in={a.target_unit_id for a in actions if a.target_unit_id})}
    messages = []
    labels = kind_labels()
    marker = "__MATTER_CODE__"
    url_pattern = kind.url(marker)  # one reverse() for the batch
    for action in actions:
        url = url_pattern.replace(marker, action.matter_code)
        addressed, told = recipients.for_action(action)
        title = title_for(action, labels)
        urgent = action.kind in URGENT
        unit = units.get(action.target_unit_id) if action.kind not in (ActionKind.INTERVIEW, ActionKind.ACCOUNTABILITY) else None
        for user in addressed:
            messages.append(Message(recipient=user, title=title, body=action.text, url=url, urgent=urgent,
                                    kind=f"supervision.{action.kind}", unit=unit))
        for user in told:
            messages.append(Message(recipient=user, title="（抄送）" + title, body=action.text, url=url, urgent=False,
                                    kind=f"supervision.{action.kind}"))
    return send(messages) if messages else 0
