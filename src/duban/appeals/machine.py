"""The appeal's transition table (SPEC §5): submitted → accepted (or declined) → dispatched → signed for (or sent
back) → replied → called back and rated → closed, or re-opened if unsatisfied.

Who may take each move is declared beside it, once: the services (through `matters.services.perform`), the
appeal page's action bar and its "why not" read this table. The enterprise rates on the tracking page without
an account: its service acts as a named system actor, which the runner does not ask.
"""

from django.utils.translation import gettext_lazy as _

from duban.appeals.choices import AppealState as S
from duban.appeals.choices import EventKind as E
from duban.appeals.policies import desk, is_handling_unit, may_promote
from duban.matters.machine import StateMachine, Transition

OFFICE_ONLY = _("只有县营商办可以办理。")
UNIT_ONLY = _("只有承办单位的联络员或一把手可以办理。")
ALIVE = {S.SUBMITTED, S.ACCEPTED, S.DISPATCHED, S.HANDLING, S.REPLIED, S.CLOSED, S.DECLINED}

APPEAL_MACHINE = StateMachine(S, [
    Transition("accept", _("受理"), {S.SUBMITTED}, S.ACCEPTED, may=desk, refusal=OFFICE_ONLY, event=E.ACCEPTED),
    Transition("decline", _("不予受理"), {S.SUBMITTED}, S.DECLINED, may=desk, refusal=OFFICE_ONLY, event=E.DECLINED),
    Transition("merge", _("合并为重复诉求"), {S.SUBMITTED, S.ACCEPTED}, S.MERGED, may=desk, refusal=OFFICE_ONLY, event=E.MERGED),
    Transition("dispatch", _("派单"), {S.ACCEPTED}, S.DISPATCHED, may=desk, refusal=OFFICE_ONLY, event=E.DISPATCHED),
    Transition("sign", _("签收"), {S.DISPATCHED}, S.HANDLING, may=is_handling_unit, refusal=UNIT_ONLY, event=E.SIGNED),
    Transition("send_back", _("退单"), {S.DISPATCHED, S.HANDLING}, S.ACCEPTED, may=is_handling_unit, refusal=UNIT_ONLY,
               event=E.SENT_BACK),
    Transition("request_extension", _("申请延期"), {S.HANDLING}, may=is_handling_unit, refusal=UNIT_ONLY,
               event=E.EXTENSION_REQUESTED),
    Transition("decide_extension", _("审批延期"), {S.HANDLING}, may=desk, refusal=OFFICE_ONLY, event=E.EXTENSION_DECIDED, offered=False),
    Transition("reply", _("答复"), {S.HANDLING}, S.REPLIED, may=is_handling_unit, refusal=UNIT_ONLY, event=E.REPLIED),
    # 回访评价: satisfied closes it; unsatisfied re-opens it with the unit (the second time, with the leader in charge).
    Transition("rate", _("回访评价"), {S.REPLIED}, S.CLOSED, also={S.HANDLING}, may=desk, refusal=OFFICE_ONLY, event=E.RATED),
    Transition("exclude", _("不纳入考核"), ALIVE, may=desk, refusal=OFFICE_ONLY, event=E.EXCLUDED),
    Transition("include", _("恢复纳入考核"), ALIVE, may=desk, refusal=OFFICE_ONLY, event=E.INCLUDED, offered=False),
    Transition("edit", _("修改诉求"), {S.SUBMITTED, S.ACCEPTED, S.DISPATCHED, S.HANDLING}, may=desk, refusal=OFFICE_ONLY, event=E.EDITED),
    Transition("promote", _("转为重点工作任务"), {S.ACCEPTED, S.DISPATCHED, S.HANDLING, S.REPLIED, S.CLOSED}, may=may_promote,
               refusal=_("只有县督查室或主要领导可以把诉求转为重点工作任务，请联系县督查室。"), event=E.PROMOTED),
])
