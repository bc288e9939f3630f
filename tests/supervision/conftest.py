"""Supervision tests chase ledger tasks: the ledger's fixtures (a 2026 campaign, tasks made through its services),
the API's token clients, and one task swept into a notice."""

import datetime as dt

import pytest

from duban.core.actor import Actor
from duban.ledger import services as ledger
from duban.supervision import services
from duban.supervision.models import SupervisionAction
from duban.supervision.sweep import sweep
from tests.api.conftest import api  # noqa: F401  (fixture)
from tests.ledger.conftest import campaign, make_task  # noqa: F401  (fixtures)
from tests.ledger.moves import SHANGHAI


@pytest.fixture
def noticed(county, make_task, time_machine):
    """A 县交通运输局 task due 30 September 2026, swept on 10 October: reminder, urge and a notice."""
    time_machine.move_to(dt.datetime(2026, 9, 1, 9, tzinfo=SHANGHAI), tick=False)
    task = make_task(due_date=dt.date(2026, 9, 30))
    ledger.sign_task(Actor(user=county.people["unit_head"]), task)
    now = dt.datetime(2026, 10, 10, 9, tzinfo=SHANGHAI)
    time_machine.move_to(now, tick=False)
    sweep(now)
    return SupervisionAction.objects.get(slot="notice")


@pytest.fixture
def record(county, make_task, noticed, time_machine):
    """The 督办记录 of four units' tasks, read on Tuesday 20 October 2026, by tag, newest first:

    village_notice  10-19 by hand  督办通知单 县督字〔2026〕3号 to 东关村 (under 城关镇), reply due 10-21: awaiting
    ndrc_notice     10-12 by hand  督办通知单 县督字〔2026〕2号 to 县发展和改革局 "推进产业园区标准化厂房建设": replied 10-13
    office_urge     10-12 by hand  催办 to 县交通运输局办公室 (under 县交通运输局)
    notice          10-10 swept    督办通知单 县督字〔2026〕1号 to 县交通运输局 (2026-0001), reply due 10-13: late
    urge, remind    09-30, 09-24 swept, to 县交通运输局
    """
    u, p = county.units, county.people
    office = Actor(user=p["supervision"])
    office_task = make_task(title="整治国省道沿线环境", lead_unit=u["transport_office"], responsible_person=p["section_liaison"])
    ndrc_task = make_task(title="推进产业园区标准化厂房建设", lead_unit=u["ndrc"], responsible_person=p["liaison"])
    village_task = make_task(title="完成村道安防工程", lead_unit=u["dongguan"], responsible_person=p["township_liaison"])
    time_machine.move_to(dt.datetime(2026, 10, 12, 9, tzinfo=SHANGHAI), tick=False)
    office_urge = services.issue_action(office, office_task, kind="urge", text="请本周内完成沿线整治。")
    ndrc_notice = services.issue_action(office, ndrc_task, kind="notice", text="厂房建设进度滞后。请于期限内书面回复。", reply_days=2)
    time_machine.move_to(dt.datetime(2026, 10, 13, 16, tzinfo=SHANGHAI), tick=False)
    services.reply_to_action(Actor(user=p["liaison"]), ndrc_notice, text="厂房主体已封顶，月底前完成内部装修。")
    time_machine.move_to(dt.datetime(2026, 10, 19, 9, tzinfo=SHANGHAI), tick=False)
    village_notice = services.issue_action(office, village_task, kind="notice", text="村道安防工程未开工。请于期限内书面回复。", reply_days=2)
    time_machine.move_to(dt.datetime(2026, 10, 20, 9, tzinfo=SHANGHAI), tick=False)
    swept = {a.slot: a for a in SupervisionAction.objects.filter(automatic=True)}
    return {"village_notice": village_notice, "ndrc_notice": ndrc_notice, "office_urge": office_urge,
            "notice": swept["notice"], "urge": swept["urge"], "remind": swept["remind"]}
