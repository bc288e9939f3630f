"""The rates' stored facts (issue 8 / 11): what the services write on the appeal row as it moves — the first
dispatch's unit, sign limit and answer, the replies' facts — equals what the rates decided from the timeline and
the replies before (the old decision, copied here as the oracle), under frozen time; the migration's backfill
decides the same from the timeline; and the response figure and its list follow the sign limit by the day."""

import datetime as dt
import importlib
from collections import defaultdict
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone

from duban.appeals import metrics, services
from duban.appeals.choices import Outcome, Rating
from duban.appeals.filters import AppealFilter
from duban.appeals.models import Appeal, AppealReply, TimeLimit
from duban.core import calendar
from duban.matters.models import MatterEvent
from tests.appeals.conftest import as_actor, at, fresh

pytestmark = pytest.mark.django_db

FACTS = ("first_unit_id", "first_sign_limit", "first_answer", "replied", "late_reply", "last_reply_on", "handling_days")


# --- the oracle: the rates' per-appeal decision as it was (appeals.metrics before the stored facts) ---------------


def old_first_response(events, sign_days: int, on: dt.date):
    dispatch = next((e for e in events if e["event"] == "dispatched"), None)
    if dispatch is None:
        return None, None, None
    dispatched_on = timezone.localdate(dispatch["at"])
    limit = calendar.add_workdays(dispatched_on, sign_days)
    after = next((e for e in events if (e["at"], e["id"]) > (dispatch["at"], dispatch["id"]) and e["event"] in ("signed", "sent_back")), None)
    if after is None:
        return dispatch["unit_id"], limit, ("late" if on > limit else None)
    if after["event"] == "signed" and timezone.localdate(after["at"]) <= limit:
        return dispatch["unit_id"], limit, "on_time"
    return dispatch["unit_id"], limit, "late"


def oracle(appeal: Appeal, on: dt.date) -> dict:
    """The old facts of one appeal, from its events and replies."""
    events = list(MatterEvent.objects.filter(kind="appeals.appeal", event__in=("dispatched", "signed", "sent_back"), matter_id=appeal.pk)
                  .order_by("at", "id").values("id", "event", "at", "unit_id"))
    rounds = list(AppealReply.objects.filter(appeal=appeal).order_by("round").values("on_time", "replied_on"))
    sign_days = TimeLimit.for_appeal(appeal.category, appeal.urgency)["sign_days"]
    unit, limit, response = old_first_response(events, sign_days, on)
    overdue = appeal.state == "handling" and appeal.due_date is not None and appeal.due_date < on
    return {
        "first_unit_id": unit, "first_sign_limit": limit, "response": response, "replied": bool(rounds),
        "on_time": bool(rounds) and all(r["on_time"] for r in rounds) and not overdue, "timely_due": bool(rounds) or overdue,
        "handling_days": calendar.workdays_between(appeal.accepted_on, rounds[-1]["replied_on"]) if rounds else None,
    }


def stored(appeal: Appeal, on: dt.date) -> dict:
    """The same facts as the stored columns and the conditions over them say."""
    appeal = fresh(appeal)
    one = Appeal.objects.filter(pk=appeal.pk)
    response = next((v for v in ("on_time", "late") if one.filter(metrics.response_q(v, on)).exists()), None)
    assert one.filter(metrics.response_q("due", on)).exists() == (response is not None)
    return {
        "first_unit_id": appeal.first_unit_id, "first_sign_limit": appeal.first_sign_limit, "response": response,
        "replied": appeal.replied, "on_time": one.filter(metrics.timely_q("on_time", on)).exists(),
        "timely_due": one.filter(metrics.timely_q("due", on)).exists(), "handling_days": appeal.handling_days,
    }


def facts_row(appeal: Appeal) -> dict:
    return Appeal.objects.filter(pk=appeal.pk).values(*FACTS).get()


@pytest.fixture
def hands(county):
    units = county.units
    return {units["ndrc"].pk: as_actor(county.people["liaison"]), units["transport"].pk: as_actor(county.people["unit_head"])}


def test_a_sent_back_redispatched_late_reopened_appeal_keeps_the_old_decision(county, submit, desk, hands):
    units = county.units

    def by_unit(appeal):
        return hands[appeal.lead_unit_id]

    def check(appeal, day):
        on = dt.date.fromisoformat(day)
        assert stored(appeal, on) == oracle(fresh(appeal), on)

    with at("2026-06-01"):  # Monday: accepted, dispatched to ndrc (sign limit 6-2)
        appeal = submit().appeal
        services.accept_appeal(desk, fresh(appeal))
        services.dispatch_appeal(desk, fresh(appeal), lead_unit=units["ndrc"])
        row = facts_row(appeal)
        assert (row["first_unit_id"], row["first_sign_limit"], row["first_answer"]) == (units["ndrc"].pk, dt.date(2026, 6, 2), "")
        check(appeal, "2026-06-01")
    check(appeal, "2026-06-03")  # the sign limit passed unanswered: late
    with at("2026-06-02"):  # sent back within the limit — still not a response — and dispatched again to transport
        services.send_back_appeal(by_unit(fresh(appeal)), fresh(appeal), reason="不属于本单位职责")
        services.dispatch_appeal(desk, fresh(appeal), lead_unit=units["transport"])
        check(appeal, "2026-06-02")
    with at("2026-06-03"):  # signed on the second dispatch's day: does not mend the first; reply limit 6-10
        services.sign_appeal(by_unit(fresh(appeal)), fresh(appeal))
        check(appeal, "2026-06-03")
    check(appeal, "2026-06-11")  # 办理中 past the reply limit: due to reply, late
    with at("2026-06-11"):  # replied a day late
        services.reply_appeal(by_unit(fresh(appeal)), fresh(appeal), public_text="已办理。", outcome=Outcome.PARTLY)
        check(appeal, "2026-06-11")
    with at("2026-06-12"):  # unsatisfied: re-opened with transport
        services.rate_appeal(desk, fresh(appeal), rating=Rating.UNSATISFIED, comment="没有解决")
        check(appeal, "2026-06-12")
    with at("2026-06-15"):  # answered again, on time
        services.reply_appeal(by_unit(fresh(appeal)), fresh(appeal), public_text="已再次办理。", outcome=Outcome.RESOLVED)
        check(appeal, "2026-06-15")
    assert facts_row(appeal) == {
        "first_unit_id": units["ndrc"].pk, "first_sign_limit": dt.date(2026, 6, 2), "first_answer": "late", "replied": True,
        "late_reply": True, "last_reply_on": dt.date(2026, 6, 15), "handling_days": 10,
    }

    # The rates count it so: due to respond against ndrc and late; replied, not on time, 10 working days.
    figures = metrics.compute(county.people["business"], {"accepted_from": "2026-06-01", "accepted_to": "2026-06-30"},
                              on=dt.date(2026, 6, 15))
    assert (figures.total.response_due, figures.total.responded, figures.total.replied, figures.total.timely_due,
            figures.total.on_time, figures.total.handling_days) == (1, 0, 1, 1, 0, 10)
    rows = {row.key["unit"]: row for row in figures.by_unit}
    assert (rows[units["ndrc"].pk].response_due, rows[units["ndrc"].pk].counted) == (1, 0)
    assert (rows[units["transport"].pk].response_due, rows[units["transport"].pk].counted) == (0, 1)
    assert (rows[units["ndrc"].pk].sent_back, rows[units["transport"].pk].sent_back) == (1, 0)


def test_the_backfill_decides_what_the_services_stored(county, submit, desk, hands):
    """Migration 0006's fill, run over appeals whose facts were wiped, writes back what the services wrote."""
    units = county.units
    made = []
    with at("2026-06-01"):
        for _ in range(4):
            appeal = submit().appeal
            services.accept_appeal(desk, fresh(appeal))
            made.append(appeal)
        on_time, late_sign, sent_back, waiting = made
        for appeal in made:
            services.dispatch_appeal(desk, fresh(appeal), lead_unit=units["ndrc"])
        services.sign_appeal(hands[units["ndrc"].pk], fresh(on_time))
        services.send_back_appeal(hands[units["ndrc"].pk], fresh(sent_back), reason="不属于本单位职责")
    with at("2026-06-03"):
        services.sign_appeal(hands[units["ndrc"].pk], fresh(late_sign))
        services.dispatch_appeal(desk, fresh(sent_back), lead_unit=units["transport"])
        services.reply_appeal(hands[units["ndrc"].pk], fresh(on_time), public_text="已办理。", outcome=Outcome.RESOLVED)
    before = {a.pk: facts_row(a) for a in made}
    assert [before[a.pk]["first_answer"] for a in made] == ["on_time", "late", "late", ""]
    assert before[on_time.pk]["handling_days"] == 2 and before[on_time.pk]["replied"] and not before[on_time.pk]["late_reply"]

    Appeal.objects.update(first_unit=None, first_sign_limit=None, first_answer="", replied=False, late_reply=False,
                          last_reply_on=None, handling_days=None)
    migration = importlib.import_module("duban.appeals.migrations.0006_rate_facts")
    migration.fill(apps, SimpleNamespace(connection=connection))  # it uses the schema editor's connection only
    assert {a.pk: facts_row(a) for a in made} == before


def test_the_response_list_follows_the_first_sign_limit_by_the_day(county, submit, desk):
    """Dispatched and not signed: not due while within the sign limit, late (due) the day after — without any
    daily refresh — and the list behind the figure holds the same appeal."""
    with at("2026-06-01"):
        appeal = submit().appeal
        services.accept_appeal(desk, fresh(appeal))
        services.dispatch_appeal(desk, fresh(appeal), lead_unit=county.units["ndrc"])
    period = {"accepted_from": "2026-06-01", "accepted_to": "2026-06-30"}
    counts = defaultdict(dict)
    for day in ("2026-06-02", "2026-06-03"):
        with at(day):
            m = metrics.compute(county.people["business"], period)
            counts[day]["figures"] = (m.total.response_due, m.total.responded)
            for value in ("due", "late", "on_time"):
                listed = AppealFilter({**period, "counting": "counted", "response": value}, queryset=Appeal.objects.all())
                assert listed.is_valid()
                counts[day][value] = listed.qs.count()
    assert counts["2026-06-02"] == {"figures": (0, 0), "due": 0, "late": 0, "on_time": 0}
    assert counts["2026-06-03"] == {"figures": (1, 0), "due": 1, "late": 1, "on_time": 0}
    listed = AppealFilter({**period, "first_unit": county.units["ndrc"].pk}, queryset=Appeal.objects.all())
    assert listed.is_valid() and list(listed.qs) == [fresh(appeal)]
