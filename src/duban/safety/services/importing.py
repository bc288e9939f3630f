"""按台账导入 (SPEC §7): a hazard of the county's sheet recorded as the sheet has it — reported by whoever found it
(report_hazard), then, if the sheet has it further along, taken to its state in the one move of the table made for
it ("import": 整改中, 待验收 or 已销号 with what the sheet says of its rectification and verification).

The sheet's history is kept as written: its deadline may have passed, its verification may be months old, and a
major hazard's sheet seldom carries the whole plan (五落实); none of that is refused here, as it would be when the
same moves are taken in the system today. The checks of a sheet (`safety.excel`) come before.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from duban.core.actor import Actor
from duban.core.errors import ServiceError
from duban.core.models import Unit
from duban.matters import services as kernel
from duban.safety.choices import HazardLevel, HazardState
from duban.safety.kind import HAZARD_KIND
from duban.safety.models import Hazard, Sector
from duban.safety.services import report_hazard


def missing_for_state(state: str, *, lead_unit=None, due_date=None, measures: str = "", verified_on=None) -> ServiceError | None:
    """What a hazard in `state` cannot be imported without (None if nothing): one rule for the sheet's check, which
    names the row and column, and for `import_hazard` itself."""
    if state not in HazardState.values:
        return ServiceError(_("状态只能是：%(states)s。") % {"states": "、".join(str(label) for label in HazardState.labels)}, field="state")
    if state in (HazardState.RECTIFYING, HazardState.AWAITING):  # on the clock: someone must be chased, by a date
        for value, what, field in ((lead_unit, _("整改责任单位"), "lead_unit"), (due_date, _("整改时限"), "due_date"),
                                   ((measures or "").strip(), _("整改措施"), "measures")):
            if not value:
                return ServiceError(_("%(state)s的隐患须填写%(what)s。") % {"state": HazardState(state).label, "what": what}, field=field)
    if state == HazardState.CLOSED and verified_on is None:
        return ServiceError(_("已销号的隐患须填写验收时间。"), field="verified_on")
    return None


@transaction.atomic
def import_hazard(actor: Actor, *, sector: Sector, place: str, title: str, found_on: dt.date, level: str = HazardLevel.GENERAL,
                  state: str = HazardState.FOUND, found_by_name: str = "", township: Unit | None = None,
                  lead_unit: Unit | None = None, responsible_name: str = "", measures: str = "", due_date: dt.date | None = None,
                  funds: Decimal | None = None, result: str = "", verified_by_name: str = "",
                  verified_on: dt.date | None = None) -> Hazard:
    """One hazard of an imported sheet, in the state the sheet gives it (every step audited)."""
    refusal = missing_for_state(state, lead_unit=lead_unit, due_date=due_date, measures=measures, verified_on=verified_on)
    if refusal is not None:
        raise refusal
    hazard = report_hazard(actor, sector=sector, place=place, title=title, level=level, township=township, found_on=found_on,
                           found_by_name=found_by_name)
    extra = {"responsible_name": (responsible_name or "").strip()[:60], "funds": funds, "result": (result or "").strip()}
    if state == HazardState.FOUND:
        if any(extra.values()) or lead_unit or due_date or measures:
            kernel.perform(actor, hazard, "edit", kind=HAZARD_KIND, text=_("按台账导入整改信息"),
                           changes={**extra, "lead_unit": lead_unit, "due_date": due_date, "measures": (measures or "").strip()})
        return hazard
    changes = {**extra, "state": state, "lead_unit": lead_unit, "due_date": due_date, "measures": measures.strip(), "start_date": found_on}
    if state == HazardState.CLOSED:  # done (completed_on) when verified: a sheet says no more
        at = dt.datetime.combine(verified_on, dt.time(12), tzinfo=timezone.get_current_timezone())
        changes.update(completed_on=verified_on, closed_on=verified_on, verified_at=at, verified_by_name=(verified_by_name or "").strip()[:60],
                       closed_by_unit=lead_unit)
    kernel.perform(actor, hazard, "import", kind=HAZARD_KIND, changes=changes,
                   text=_("按台账导入：%(state)s") % {"state": HazardState(state).label})
    return hazard
