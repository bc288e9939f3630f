"""The transition tables of the safety ledgers. The hazard's (SPEC §7): 发现 → 整改中 → 待验收 → 销号, or 退回; 当场整改 closes at once.

Who may take each move is declared beside it, once: the services (through `matters.services.perform`), the
hazard page's action bar and its "why not" read this table.
"""

from django.utils.translation import gettext_lazy as _

from duban.matters.machine import StateMachine, Transition
from duban.safety.choices import EventKind as E
from duban.safety.choices import HazardState as S
from duban.safety.choices import LapseEvent as LE
from duban.safety.choices import LapseState as L
from duban.safety.policies import (
    is_finder,
    is_on_shift,
    is_rectifying_unit,
    is_safety_office,
    may_assign,
    may_close_lapse,
    may_promote,
    may_verify,
)

OPEN = {S.FOUND, S.RECTIFYING, S.AWAITING}


def _office(hazard, user) -> bool:
    return is_safety_office(user)


HAZARD_MACHINE = StateMachine(S, [
    Transition("edit", _("修改隐患"), OPEN, may=_office, refusal=_("只有县安委办可以修改隐患信息。"), event=E.EDITED),
    # 按台账导入: a hazard the county's sheet has further along than found — rectifying, awaiting verification or
    # struck off — takes its state from the sheet in one move, with what the sheet says of its rectification.
    Transition("import", _("按台账导入"), {S.FOUND}, S.RECTIFYING, also={S.AWAITING, S.CLOSED}, offered=False,
               may=_office, refusal=_("只有县安委办可以导入隐患台账。"), event=E.IMPORTED),
    Transition("assign", _("交办整改"), {S.FOUND}, S.RECTIFYING,
               may=may_assign, refusal=_("一般隐患由县安委办或属地乡镇交办整改，重大隐患由县安委办挂牌督办。"), event=E.ASSIGNED),
    Transition("rectify_on_spot", _("当场整改"), {S.FOUND}, S.CLOSED, offered=False,
               may=is_finder, refusal=_("当场整改由发现隐患的人员在上报时一并登记。"), event=E.RECTIFIED_ON_SPOT),
    Transition("request_verification", _("申请验收"), {S.RECTIFYING}, S.AWAITING,
               may=is_rectifying_unit, refusal=_("只有整改责任单位的联络员或一把手可以申请验收。"), event=E.VERIFICATION_REQUESTED),
    Transition("verify", _("验收销号"), {S.AWAITING}, S.CLOSED,
               may=may_verify, refusal=_("一般隐患由县安委办或属地乡镇验收，重大隐患由县安委办验收。"), event=E.CLOSED),
    Transition("return", _("验收退回"), {S.AWAITING}, S.RECTIFYING,
               may=may_verify, refusal=_("一般隐患由县安委办或属地乡镇验收，重大隐患由县安委办验收。"), event=E.RETURNED),
    # The hazard stays where it is; the work beyond its rectification becomes a key-work task (a draft).
    Transition("promote", _("转为重点工作任务"), {S.RECTIFYING, S.AWAITING}, may=may_promote,
               refusal=_("只有县督查室或主要领导可以把隐患转为重点工作任务。"), event=E.PROMOTED),
])


def _keeper(lapse, user) -> bool:
    return may_close_lapse(lapse, user)


# 值守未确认: open until the person on duty confirms late (补确认) or the township says what happened.
LAPSE_MACHINE = StateMachine(L, [
    Transition("confirm_late", _("补确认到岗"), {L.OPEN}, L.CONFIRMED_LATE, offered=False,
               may=is_on_shift, refusal=_("只有本班值班人员可以确认到岗。"), event=LE.CONFIRMED_LATE),
    Transition("close", _("说明情况关闭"), {L.OPEN}, L.CLOSED,
               may=_keeper, refusal=_("只有值守点所在乡镇的一把手、联络员或县安委办可以说明情况关闭。"), event=LE.CLOSED),
])
