"""Every write of evaluation: rule versions and rules, praise, contests and rulings, list rules, publishing.
Each runs in one transaction with its audit entry; a refusal says what to do and changes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from duban.core import audit, calendar
from duban.core.actor import Actor
from duban.core.choices import Role
from duban.core.errors import NotAllowed, ServiceError
from duban.core.models import Unit
from duban.core.scope import works_for
from duban.scoring import collect as collecting
from duban.scoring import lists as listing
from duban.scoring.choices import ContestState, ListBasis, ListColour, Outcome
from duban.scoring.models import Contest, ListRule, Praise, Publication, Rule, RuleSet, ScoreEvent, ScoreSnapshot
from duban.scoring.periods import Period, month_of, parse
from duban.scoring.scores import as_json, compute, scored_unit_id

MAX_POINTS = Decimal("100")


def _office(actor: Actor) -> None:
    if Role.SUPERVISION not in actor.roles:
        raise NotAllowed(_("考核细则、申诉裁定和公布由县委督查室办理。"))


def _decimal(value, label: str, field: str) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ServiceError(_("%(label)s应为数字，如 -2 或 1.5。") % {"label": label}, field=field) from None
    if not number.is_finite() or abs(number) > MAX_POINTS or number != number.quantize(Decimal("0.01")):
        raise ServiceError(_("%(label)s应在 -100 到 100 之间，最多两位小数。") % {"label": label}, field=field)
    return number


def check_outcome(outcome: str) -> None:
    """Only an outcome of the closed list may be scored, never activity (logins, clicks, time online, reports)."""
    if outcome not in Outcome.values:
        raise ServiceError(_("考核只能依据办理结果（如逾期、回访不满意、提前完成），不能依据登录、点击、在线时长或报送次数等痕迹。"),
                           field="outcome")


@transaction.atomic
def create_ruleset(actor: Actor, *, valid_from: dt.date, note: str = "", copy_from: RuleSet | None = None) -> RuleSet:
    """A new version of the rules, in force for outcomes from `valid_from`; it starts as a copy of `copy_from`."""
    _office(actor)
    if RuleSet.objects.filter(valid_from=valid_from).exists():
        raise ServiceError(_("%(day)s 起用的版本已存在，请修改该版本或另选起用日期。") % {"day": valid_from}, field="valid_from")
    published = Publication.objects.order_by("-period").values_list("period", flat=True).first()
    if published and valid_from <= parse(published).end:
        raise ServiceError(_("%(period)s 已公布，新版本的起用日期须在其后，已公布的考核期不再改变。") % {"period": published},
                           field="valid_from")
    number = (RuleSet.objects.aggregate(n=Max("number"))["n"] or 0) + 1
    ruleset = RuleSet.objects.create(number=number, valid_from=valid_from, note=(note or "").strip()[:300], created_by=actor.user)
    if copy_from is not None:
        Rule.objects.bulk_create([Rule(ruleset=ruleset, outcome=r.outcome, points=r.points, cap=r.cap) for r in copy_from.rules.all()])
    audit.record(actor, "scoring.ruleset.create", ruleset, after={"number": number, "valid_from": valid_from, "note": ruleset.note,
                                                                   "copy_from": copy_from.number if copy_from else None})
    return ruleset


def _unlocked(ruleset: RuleSet) -> RuleSet:
    locked = RuleSet.objects.select_for_update().get(pk=ruleset.pk)
    if locked.locked:
        raise ServiceError(_("第%(number)s版已用于已公布的考核期，不能修改；请新建一个版本。") % {"number": locked.number})
    return locked


@transaction.atomic
def set_rule(actor: Actor, ruleset: RuleSet, *, outcome: str, points, cap=None) -> Rule:
    """Add or change one rule of an unlocked version: points per occurrence and the cap per period."""
    _office(actor)
    check_outcome(outcome)
    value = _decimal(points, _("分值"), "points")
    if value == 0:
        raise ServiceError(_("分值不能为 0：扣分填负数，加分填正数。"), field="points")
    limit = None if cap in (None, "") else _decimal(cap, _("每期上限"), "cap")
    if limit is not None and limit <= 0:
        raise ServiceError(_("每期上限应为正数（该项每期最多扣或加的分数），不设上限请留空。"), field="cap")
    ruleset = _unlocked(ruleset)
    rule = Rule.objects.filter(ruleset=ruleset, outcome=outcome).first()
    before = None if rule is None else {"points": rule.points, "cap": rule.cap}
    rule = rule or Rule(ruleset=ruleset, outcome=outcome)
    rule.points, rule.cap = value, limit
    rule.full_clean()
    rule.save()
    audit.record(actor, "scoring.rule.set", rule, before=before, after={"ruleset": ruleset.number, "outcome": outcome, "points": value, "cap": limit})
    return rule


@transaction.atomic
def remove_rule(actor: Actor, rule: Rule) -> None:
    """Take one outcome out of an unlocked version (it scores nothing under it)."""
    _office(actor)
    _unlocked(rule.ruleset)
    audit.record(actor, "scoring.rule.remove", rule, before={"ruleset": rule.ruleset.number, "outcome": rule.outcome, "points": rule.points})
    rule.delete()


@transaction.atomic
def give_praise(actor: Actor, *, unit: Unit, text: str, given_on: dt.date | None = None) -> Praise:
    """领导表扬: a principal leader praises a unit; it scores as the rules in force that day say."""
    if Role.PRINCIPAL not in actor.roles:
        raise NotAllowed(_("领导表扬由县主要领导填写。"))
    said = (text or "").strip()
    if not said:
        raise ServiceError(_("请写明表扬事由。"), field="text")
    day = given_on or timezone.localdate()
    if day > timezone.localdate():
        raise ServiceError(_("表扬日期不能晚于今天。"), field="given_on")
    praise = Praise.objects.create(unit=unit, text=said[:300], given_on=day, given_by=actor.user)
    audit.record(actor, "scoring.praise", praise, after={"unit": unit.name, "text": praise.text, "given_on": day})
    return praise


def contest_deadline(event: ScoreEvent) -> dt.date:
    """The last day a point may be contested: N working days after the end of its month."""
    return calendar.add_workdays(month_of(event.occurred_on).end, settings.DUBAN_SCORING_CONTEST_DAYS)


def may_contest(user, event: ScoreEvent, counted_for: int | None = None) -> bool:
    """The head or liaison of the unit the point counts for (`counted_for`, when the caller knows it from the
    board), or of the sub-unit whose matter it came from."""
    return works_for(user, event.unit_id) or works_for(user, counted_for or scored_unit_id(event))


@transaction.atomic
def raise_contest(actor: Actor, event: ScoreEvent, *, reason: str) -> Contest:
    """申诉: the unit's head or liaison objects to one point, with the reason, within the window."""
    if actor.user is None or not may_contest(actor.user, event):
        raise NotAllowed(_("只有被考核单位的负责人或联络员可以对本单位的得分提出申诉。"))
    said = (reason or "").strip()
    if not said:
        raise ServiceError(_("请写明申诉理由，并说明依据。"), field="reason")
    deadline = contest_deadline(event)
    if timezone.localdate() > deadline:
        raise ServiceError(_("申诉期已于 %(day)s 截止，不能再申诉此项。") % {"day": f"{deadline:%Y年%m月%d日}"})
    try:
        with transaction.atomic():
            contest = Contest.objects.create(score_event=event, reason=said, raised_by=actor.user)
    except IntegrityError:
        raise ServiceError(_("此项已提出过申诉，请等待县委督查室裁定。")) from None
    audit.record(actor, "scoring.contest.raise", contest, after={"event": event.pk, "outcome": event.outcome, "reason": said})
    return contest


@transaction.atomic
def rule_contest(actor: Actor, contest: Contest, *, removed: bool, note: str) -> Contest:
    """裁定: the office upholds the point or removes it, with its reasons; a removed point no longer counts
    in any period not yet published (a published one keeps its snapshot)."""
    _office(actor)
    said = (note or "").strip()
    if not said:
        raise ServiceError(_("请写明裁定意见。"), field="note")
    state = ContestState.REMOVED if removed else ContestState.UPHELD
    written = Contest.objects.filter(pk=contest.pk, state=ContestState.PENDING).update(
        state=state, ruling=said, ruled_by=actor.user, ruled_at=timezone.now())
    if written != 1:
        raise ServiceError(_("该申诉已裁定，不能再次裁定。"))
    contest.refresh_from_db()
    audit.record(actor, "scoring.contest.rule", contest, before={"state": ContestState.PENDING},
                 after={"state": state, "ruling": said, "event": contest.score_event_id})
    return contest


@transaction.atomic
def save_list_rule(actor: Actor, *, colour: str, basis: str, count: int = 3, outcome: str = "") -> ListRule:
    """One rule of the red and black lists: top or bottom N per category, or every unit with an outcome."""
    _office(actor)
    if colour not in ListColour.values or basis not in ListBasis.values:
        raise ServiceError(_("请选择红榜或黑榜，以及依据。"), field="basis")
    if basis == ListBasis.OUTCOME:
        check_outcome(outcome)
        count = 0
    else:
        outcome = ""
        if not 1 <= int(count) <= 50:
            raise ServiceError(_("名次数应在 1 到 50 之间。"), field="count")
    rule = ListRule.objects.create(colour=colour, basis=basis, count=count, outcome=outcome, created_by=actor.user)
    audit.record(actor, "scoring.listrule.create", rule, after={"colour": colour, "basis": basis, "count": count, "outcome": outcome})
    return rule


@transaction.atomic
def remove_list_rule(actor: Actor, rule: ListRule) -> None:
    _office(actor)
    audit.record(actor, "scoring.listrule.remove", rule, before={"colour": rule.colour, "basis": rule.basis, "count": rule.count})
    rule.delete()


@transaction.atomic
def refresh(actor: Actor, period: Period | str) -> int:
    """Collect the period's outcomes now (the periodic job does it too); a published period is left alone."""
    period = parse(period) if isinstance(period, str) else period
    if Publication.objects.filter(period=period.code).exists():
        return 0
    return collecting.collect(period)


@transaction.atomic
def publish(actor: Actor, period: Period | str) -> Publication:
    """公布: collect, compute and freeze the period's scores and lists; it never changes afterwards."""
    _office(actor)
    period = parse(period) if isinstance(period, str) else period
    if period.end >= timezone.localdate():
        raise ServiceError(_("%(period)s 尚未结束，结束后才能公布。") % {"period": period.label})
    if Publication.objects.filter(period=period.code).exists():
        raise ServiceError(_("%(period)s 已公布，公布后不再改变。") % {"period": period.label})
    collecting.collect(period)
    board = compute(period)
    lists = listing.draw(board)
    try:
        with transaction.atomic():
            publication = Publication.objects.create(period=period.code, published_by=actor.user, base=board.base, lists=lists)
    except IntegrityError:
        raise ServiceError(_("%(period)s 已公布，公布后不再改变。") % {"period": period.label}) from None
    ScoreSnapshot.objects.bulk_create([
        ScoreSnapshot(publication=publication, unit_id=r.unit_id, unit_name=r.unit_name, category=r.category, score=r.score,
                      rank=r.rank, points=[as_json(p) for p in r.points]) for r in board.rows])
    versions = {p.ruleset for r in board.rows for p in r.points if p.ruleset is not None}
    RuleSet.objects.filter(number__in=versions).update(locked=True)
    audit.record(actor, "scoring.publish", publication, after={"period": period.code, "units": len(board.rows),
                                                               "rulesets": sorted(versions), "lists": lists})
    return publication
