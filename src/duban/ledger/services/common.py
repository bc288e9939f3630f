"""What the task services share: the kind, the light, the clock wordings, request rows, numbering, and what a
user may do now (the task page's action bar)."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from duban.core import attachments as attachment_store
from duban.core.actor import Actor
from duban.core.errors import ServiceError
from duban.core.models import Unit, User
from duban.ledger.choices import FINISHED_STATES, RequestState
from duban.ledger.kind import TASK_KIND, light
from duban.ledger.models import Campaign, ExtensionRequest, ReassignRequest, Task
from duban.matters import clock, lights, numbering
from duban.matters import services as kernel

NOUN = TASK_KIND.noun


def today() -> dt.date:
    return timezone.localdate()


# --- light ---------------------------------------------------------------------------------------


def evaluate(task: Task, on: dt.date | None = None, *, reported: bool | None = None) -> clock.LightResult:
    """The task's own light on `on` (ledger.kind.light); a parent's is then made no better than its worst
    open child's by `refresh_light`."""
    return light(task, on or today(), reported=reported)


def refresh_light(task: Task, on: dt.date | None = None) -> None:
    """Recompute and store the task's light, rolled up into its parents (matters.lights.relight)."""
    lights.relight(TASK_KIND, task, on)


# --- what the current user may do now ---------------------------------------------------------------


def available_actions(task: Task, user) -> list[str]:
    """Names of the transitions `user` may take on `task` now: the machine's declaration (state and who may),
    less what the services would refuse whatever the user types."""
    actions = []
    for transition in kernel.offered(task, user, kind=TASK_KIND):
        name = transition.name
        if name == "pause" and task.paused_since or name == "resume_clock" and not task.paused_since:
            continue
        if name == "request_completion" and task.children.exclude(state__in=FINISHED_STATES).exists():
            continue
        if name == "request_extension" and (task.standing or task.due_date is None or task.extension_requests.filter(state=RequestState.PENDING).exists()):
            continue
        if name == "request_reassignment" and task.reassign_requests.filter(state=RequestState.PENDING).exists():
            continue
        actions.append(name)
    return actions


# --- pieces of the transitions ---------------------------------------------------------------------


def required(text: str, what: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ServiceError(_("请填写%(what)s。") % {"what": what}, field="reason")
    return text


def attach(files, owner, actor: Actor) -> list:
    return [attachment_store.store(f, owner=owner, user=actor.user) for f in files or ()]


def check_version(task: Task, expected_version: int | None) -> None:
    kernel.check_version(TASK_KIND, task, expected_version)


# What the database refuses (one pending request of a kind per task), in the words the user reads.
PENDING_REFUSAL = {
    "CompletionRequest": gettext_lazy("已有一份销账申请在等待审核，请等审核后再申请。"),
    "ExtensionRequest": gettext_lazy("已有一份延期申请在等待审批，请等审批后再申请。"),
    "ReassignRequest": gettext_lazy("已有一份调整申请在等待处理。"),
}


def create_pending(model, **values):
    """Create a pending request; the database keeps one pending request of each kind per task."""
    try:
        with transaction.atomic():
            return model.objects.create(**values)
    except IntegrityError:
        if model.objects.filter(task=values["task"], state=RequestState.PENDING).exists():
            raise ServiceError(PENDING_REFUSAL[model.__name__]) from None
        raise


def end_pending_requests(task: Task, note: str) -> None:
    """A closed or cancelled task answers its waiting extension and reassignment requests: they can no
    longer be decided, and must not wait in anyone's queue."""
    now = timezone.now()
    for model in (ExtensionRequest, ReassignRequest):
        model.objects.filter(task=task, state=RequestState.PENDING).update(state=RequestState.REJECTED, decided_at=now, note=note)


def unit_head(unit: Unit) -> User | None:
    """The unit's head (一把手), who answers for its work when no one else is named."""
    return User.objects.filter(unit=unit, role_grants__role="unit_head", is_active=True).order_by("id").first()


def deadline_wording(day: dt.date) -> str:
    """The wording of an exact due date, as the ledger writes it: "2026年8月31日前"."""
    return f"{day.year}年{day.month}月{day.day}日前"


def next_report_due(task: Task, after: dt.date, *, owed: dt.date | None = None) -> dt.date | None:
    """When the next report falls due after one made on `after` (or a signature), on the task's cycle.

    A report made by the date it was `owed` meets that date, so the next one is the following period's:
    "每月25日前" reported on the 20th is next due in the next month, not on the 25th again. A cycle counted
    in working or calendar days runs from the report itself.
    """
    if not task.report_cycle:
        return None
    from duban.matters.cycles import ReportCycle

    cycle = ReportCycle.parse(task.report_cycle)
    if owed is not None and after <= owed and not cycle.counts_from_report:
        return cycle.next_due(owed)
    return cycle.next_due(after)


def _next_code(campaign: Campaign) -> str:
    """The next free top-level task number of the campaign's year ("2026-0042"), in O(log n) index seeks.

    Codes are unique across campaigns, so the year's numbers are one sequence. The highest code in the
    range "2026-" ≤ code < "2027" is one seek backwards on the unique code index (bounds that hold in the C
    order and in linguistic collations alike, which may ignore or reorder the "-"; startswith keeps the
    result exact); a sub-task's code ("2026-0041-2") sorts right after its parent's, so its first part is
    the number. Numbers have at least four digits, so from 10000 on the text order is no longer the number
    order ("2026-10000" < "2026-9999"): the number after the text-order highest is probed and, if taken,
    the first free one above it is found by galloping and bisection, each step one exact index lookup.
    """
    numbering.lock("ledger.task", campaign.year)  # codes are one sequence for all campaigns of a year
    prefix = f"{campaign.year}-"
    last = (
        Task.objects.filter(code__gte=prefix, code__lt=str(campaign.year + 1), code__startswith=prefix)
        .order_by("-code").values_list("code", flat=True).first()
    )
    number = int(last[len(prefix):].split("-")[0]) if last else 0

    def taken(n: int) -> bool:
        return Task.objects.filter(code=f"{prefix}{n:04d}").exists()

    if number >= 9999 and taken(number + 1):  # past 9999: find the first free number above `number`
        low, step = number + 1, 1  # low is taken
        while taken(low + step):
            low, step = low + step, step * 2
        high = low + step  # free
        while high - low > 1:
            middle = (low + high) // 2
            low, high = (middle, high) if taken(middle) else (low, middle)
        return f"{prefix}{high:04d}"
    return f"{prefix}{number + 1:04d}"
