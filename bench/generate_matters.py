"""Load generation for the other kinds the sweep chases: open hazards and open appeals, in bulk.

Volume, not behaviour, like bench/generate.py: rows written with `bulk_create` in one transaction (the derived
columns filled by the kernel's MatterQuerySet), no timelines, no audit entries. Every row is in a state its
kind's ladder chases, with due dates spread around the benchmark's days (June 2026), so that the sweep has
real work: overdue ones to escalate, near ones to light yellow, the rest to relight.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

BATCH = 2000
HAZARD_PLACES = ("城关镇南街", "工业园区", "县道X201线", "农贸市场", "加油站", "建筑工地", "林场", "砂石厂", "学校", "养老院")
HAZARD_TEXTS = ("灭火器过期", "消防通道堵塞", "护栏缺失", "燃气管道锈蚀", "脚手架未验收", "电线私拉乱接", "防火隔离带未清理")
APPEAL_TEXTS = ("用电增容申请久拖未办", "土地证办理缓慢", "政策奖补资金未兑现", "工程款被拖欠", "审批材料反复补正", "贷款担保难",
                "执法检查过于频繁", "供水压力不足影响生产")


def _due(rng: random.Random, around: dt.date) -> dt.date:
    return around + dt.timedelta(days=rng.randint(-40, 60))


def hazards(n: int, *, seed: int = 7, around: dt.date = dt.date(2026, 6, 12)) -> int:
    """`n` hazards being rectified (整改中), a tenth of them major, over the demo county's townships and units."""
    from duban.core.choices import UnitKind
    from duban.core.models import Unit
    from duban.safety.models import Hazard, Sector

    rng = random.Random(seed)
    Sector.ensure_defaults()
    sectors = list(Sector.objects.all())
    towns = list(Unit.objects.filter(kind=UnitKind.TOWNSHIP))
    units = list(Unit.objects.filter(kind__in=[UnitKind.DEPARTMENT, UnitKind.TOWNSHIP]))
    now = timezone.now()
    made = 0
    with transaction.atomic():
        for start in range(0, n, BATCH):
            rows = []
            for i in range(start, min(n, start + BATCH)):
                found = around - dt.timedelta(days=rng.randint(5, 120))
                rows.append(Hazard(
                    code=f"YH2026-B{i:07d}", sector=rng.choice(sectors), level="major" if rng.random() < 0.1 else "general",
                    place=f"{rng.choice(HAZARD_PLACES)}{rng.randint(1, 400)}号", title=rng.choice(HAZARD_TEXTS),
                    township=rng.choice(towns), lead_unit=rng.choice(units), found_on=found, start_date=found,
                    measures="限期整改", due_date=_due(rng, around), state="rectifying", light_checked_on=around - dt.timedelta(days=1),
                    created_at=now, updated_at=now,
                ))
            Hazard.objects.bulk_create(rows, batch_size=500)
            made += len(rows)
    return made


def appeals(n: int, *, seed: int = 8, around: dt.date = dt.date(2026, 6, 12)) -> int:
    """`n` open appeals across the steps the ladder chases (待受理 … 待回访), the step's limit as the due date."""
    from duban.appeals.models import Appeal
    from duban.appeals.selectors import office_unit
    from duban.appeals.services.intake import hash_code
    from duban.core.choices import UnitKind
    from duban.core.models import Unit

    rng = random.Random(seed)
    office = office_unit()
    units = list(Unit.objects.filter(kind__in=[UnitKind.DEPARTMENT, UnitKind.TOWNSHIP]))
    states = (("submitted", 0.05), ("accepted", 0.05), ("dispatched", 0.1), ("handling", 0.65), ("replied", 0.15))
    names, weights = zip(*states, strict=True)
    categories = ("land", "approval", "financing", "utilities", "policy", "enforcement", "arrears", "other")
    secret = hash_code("BENCHCODE2", "benchsalt")
    now = timezone.now()
    made = 0
    with transaction.atomic():
        for start in range(0, n, BATCH):
            rows = []
            for i in range(start, min(n, start + BATCH)):
                state = rng.choices(names, weights)[0]
                unit = rng.choice(units)
                holder = unit if state in ("dispatched", "handling") else office
                submitted = around - dt.timedelta(days=rng.randint(1, 60))
                text = rng.choice(APPEAL_TEXTS)
                rows.append(Appeal(
                    code=f"SQ2026-B{i:07d}", secret_hash=secret, category=rng.choice(categories), urgency="urgent" if rng.random() < 0.1 else "normal",
                    enterprise_name=f"宁夏某某{i % 5000}有限公司", credit_code="", contact_name="张经理", phone="13900000000",
                    title=text, description=text, state=state, start_date=submitted, due_date=_due(rng, around),
                    lead_unit=unit if state != "submitted" else None, holder_unit=holder,
                    accepted_on=submitted if state != "submitted" else None, light_checked_on=around - dt.timedelta(days=1),
                    created_at=now, updated_at=now,
                ))
            Appeal.objects.bulk_create(rows, batch_size=500)
            made += len(rows)
    return made
