"""A fixed November 2026 in the fixture county, built through the services, and two versions of the rules.

The outcomes (and the version in force on each one's date: 第1版 from 1 January, 第2版 from 16 November):

县交通运输局 (县直部门)                                       第1版   第2版
  11-04  验收退回     task C (its 办公室's task, counted for it)   -1
  11-05  超时签收     task A (立账 11-02, due to sign by 11-03)    -1
  11-11  任务逾期     task A (完成时限 11-10)                      -3
  11-11  督办通知单1  on A, reply by 11-13                        -2
  11-12  督办通知单2  on A, answered 11-16                       -2 → -1 (cap 3 per period)
  11-14  通知单1逾期未回复 (answered 11-16)                       -2
  11-17  督办通知单3  on A, answered                                        -2 (cap of 第2版's rule)
                                                                 100 - 11 = 88
县发展和改革局 (县直部门)
  11-18  销账: 提前完成 (completed 11-09, due 11-30) and 优秀                +1 +2
  11-20  领导表扬 (王书记)                                                  +3    = 106
  12-02  任务逾期 task D (完成时限 12-01: December, in the year only)       -5
城关镇 (乡镇)
  11-19  问责建议 on task F                                                 -5    = 95
河口镇 (乡镇): nothing                                                           = 100
"""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from duban.core.actor import Actor
from duban.core.choices import UnitCategory, UnitKind
from duban.ledger import services as ledger
from duban.ledger.models import Campaign
from duban.scoring import services
from duban.supervision import services as supervision
from tests.conftest import make_unit

CST = dt.timezone(dt.timedelta(hours=8))


def at(day: str, hour: int = 10):
    return time_machine.travel(dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=CST), tick=False)


def actor(user):
    return Actor(user=user)


V1 = {"overdue_task": ("-3", "6"), "late_sign": ("-1", None), "notice_received": ("-2", "3"), "unanswered_notice": ("-2", None),
      "returned_verification": ("-1", None), "early_completion": ("2", None), "quality_excellent": ("3", None),
      "quality_good": ("1", None), "accountability": ("-5", None), "praise": ("2", None)}
V2 = {**V1, "overdue_task": ("-5", "10"), "late_sign": ("-2", None), "unanswered_notice": ("-3", None), "early_completion": ("1", None),
      "quality_excellent": ("2", None), "praise": ("3", None)}


@pytest.fixture
def rules(county):
    office = actor(county.people["supervision"])
    with at("2026-10-20"):
        v1 = services.create_ruleset(office, valid_from=dt.date(2026, 1, 1), note="2026年考核细则")
        for outcome, (points, cap) in V1.items():
            services.set_rule(office, v1, outcome=outcome, points=points, cap=cap)
        v2 = services.create_ruleset(office, valid_from=dt.date(2026, 11, 16), note="11月16日起调整", copy_from=v1)
        for outcome, (points, cap) in V2.items():
            services.set_rule(office, v2, outcome=outcome, points=points, cap=cap)
    return v1, v2


@pytest.fixture
def november(county, rules):
    """The month of the table above; returns the tasks and notices by letter."""
    u, p = county.units, county.people
    u["hekou"] = make_unit("河口镇", UnitKind.TOWNSHIP, category=UnitCategory.TOWNSHIP)
    office, head = actor(p["supervision"]), actor(p["unit_head"])
    with at("2026-10-30"):
        campaign = Campaign.objects.create(name="2026年执行力亮剑行动", year=2026)

    def task(title, unit, due):
        t = ledger.create_task(office, campaign, title=title, standard="完成", lead_unit=unit, due_date=due,
                               start_date=dt.date(2026, 1, 1), deadline_text=f"{due:%Y年%m月%d日}前",
                               leader_in_charge=p["leader"], responsible_name="责任人", reward_penalty="按考核细则")
        ledger.register_task(office, t)
        t.refresh_from_db()
        return t

    with at("2026-11-02"):
        a = task("国道改线征地", u["transport"], dt.date(2026, 11, 10))
        b = task("重点项目前期手续", u["ndrc"], dt.date(2026, 11, 30))
        c = task("农村公路养护台账", u["transport_office"], dt.date(2026, 12, 31))
        d = task("年度投资计划", u["ndrc"], dt.date(2026, 12, 1))
        f = task("集镇环境整治", u["chengguan"], dt.date(2026, 12, 31))
        ledger.sign_task(actor(p["liaison"]), b)
        ledger.sign_task(actor(p["liaison"]), d)
        ledger.sign_task(actor(p["section_liaison"]), c)
        ledger.sign_task(actor(p["township_liaison"]), f)
    with at("2026-11-03"):
        ledger.request_completion(actor(p["section_liaison"]), c, summary="已建立台账", no_evidence_reason="台账在系统内")
    with at("2026-11-04"):
        ledger.return_task(office, c, reason="台账缺少养护里程")
    with at("2026-11-05"):
        ledger.sign_task(head, a)
    with at("2026-11-09"):
        ledger.request_completion(actor(p["liaison"]), b, summary="手续已全部办结", no_evidence_reason="批复文件已归档")
    with at("2026-11-11"):
        n1 = supervision.issue_action(office, a, kind="notice", text="逾期未完成，限期办结", reply_days=2)
    with at("2026-11-12"):
        n2 = supervision.issue_action(office, a, kind="notice", text="再次督办", reply_days=2)
    with at("2026-11-16"):  # answers both open notices: the second in time, the first three days late
        supervision.reply_to_action(head, n2, text="正在协调征地补偿，已签约八成，本周内全部完成")
    with at("2026-11-17"):
        n3 = supervision.issue_action(office, a, kind="notice", text="第三次督办", reply_days=2)
        supervision.reply_to_action(head, n3, text="本周完成剩余签约，下周交付施工用地")
    with at("2026-11-18"):
        b.refresh_from_db()
        ledger.close_task(office, b, checklist=[True], grade="excellent")
    with at("2026-11-19"):
        supervision.issue_action(office, f, kind="accountability", text="整治推进不力，建议问责")
    with at("2026-11-20"):
        services.give_praise(actor(p["principal"]), unit=u["ndrc"], text="项目手续办理快")
    return {"a": a, "b": b, "c": c, "d": d, "f": f, "n1": n1, "n2": n2, "n3": n3}


def total(board, key, county):
    return board.row(county.units[key].pk).score


def D(text: str) -> Decimal:
    return Decimal(text)
