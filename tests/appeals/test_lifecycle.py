"""An appeal's whole life through the services, under frozen time: each step's limit is the due date while it is at
that step, and each limit passed is chased on the ladder, across a holiday, by the unit whose court it is in."""

import datetime as dt

import pytest

from duban.appeals import services
from duban.appeals.choices import AppealState, Outcome, RatedVia, Rating
from duban.appeals.models import Appeal, AppealReply
from duban.core.errors import NotAllowed, ServiceError
from duban.matters.choices import Light
from duban.matters.models import MatterEvent
from duban.notify.models import Notification
from duban.supervision.choices import ActionKind
from duban.supervision.models import SupervisionAction
from duban.supervision.sweep import sweep
from tests.appeals.conftest import CST, as_actor, at, fresh

pytestmark = pytest.mark.django_db


def events(appeal):
    return list(MatterEvent.objects.filter(kind="appeals.appeal", matter_id=appeal.pk).values_list("event", flat=True))


def test_an_appeal_walks_from_submission_to_closing_with_a_send_back_and_a_reopening(county, submit, desk):
    unit = as_actor(county.people["liaison"])  # 县发展和改革局's liaison
    with at("2026-06-01"):  # a Monday
        made = submit()
        appeal = made.appeal
        assert appeal.state == AppealState.SUBMITTED and appeal.code == "SQ2026-000001"
        assert appeal.due_date == dt.date(2026, 6, 2) and appeal.holder_unit == county.units["business"]
        assert len(made.query_code) == 10 and made.query_code not in appeal.secret_hash
        assert services.code_matches(appeal, made.query_code) and not services.code_matches(appeal, "A" * 10)
        services.accept_appeal(desk, appeal)
        assert fresh(appeal).state == AppealState.ACCEPTED and appeal.due_date == dt.date(2026, 6, 2)
        services.dispatch_appeal(desk, appeal, lead_unit=county.units["transport"])
        assert appeal.state == AppealState.DISPATCHED and appeal.holder_unit == county.units["transport"]
    with at("2026-06-02"):
        # The wrong unit: 交通运输局 sends it back, counted against it, and the office dispatches again.
        services.send_back_appeal(as_actor(county.people["unit_head"]), fresh(appeal), reason="用电增容属供电公司和发改局职责")
        assert fresh(appeal).state == AppealState.ACCEPTED and appeal.sendback_count == 1
        assert appeal.lead_unit == county.units["transport"] and appeal.holder_unit == county.units["business"]
        services.dispatch_appeal(desk, appeal, lead_unit=county.units["ndrc"])
        services.sign_appeal(unit, fresh(appeal))
        assert appeal.state == AppealState.HANDLING and appeal.due_date == dt.date(2026, 6, 9)  # 5 working days
    with at("2026-06-05"):
        services.reply_appeal(unit, fresh(appeal), public_text="已协调供电公司6月8日现场勘察。", outcome=Outcome.PARTLY,
                              internal_note="增容需省公司批复")
        assert fresh(appeal).state == AppealState.REPLIED and appeal.due_date == dt.date(2026, 6, 10)
        # The enterprise is not satisfied: re-opened with the unit, a new reply limit.
        services.rate_appeal(services.enterprise_actor(), appeal, rating=Rating.UNSATISFIED, comment="只答应勘察，没有时间表",
                             via=RatedVia.ENTERPRISE)
        assert fresh(appeal).state == AppealState.HANDLING and appeal.reopen_count == 1 and not appeal.escalated
        assert appeal.holder_unit == county.units["ndrc"] and appeal.due_date == dt.date(2026, 6, 12)
    with at("2026-06-10"):
        services.reply_appeal(unit, fresh(appeal), public_text="供电公司承诺7月15日前完成增容。", outcome=Outcome.RESOLVED)
        services.rate_appeal(desk, fresh(appeal), rating=Rating.SATISFIED, via=RatedVia.CALLBACK)
    appeal = fresh(appeal)
    assert appeal.state == AppealState.CLOSED and appeal.closed_on == dt.date(2026, 6, 10) and appeal.light == Light.GREY
    assert appeal.closed_by_unit == county.units["ndrc"] and appeal.rating == Rating.SATISFIED
    rounds = list(AppealReply.objects.filter(appeal=appeal).values_list("round", "outcome", "rating", "on_time"))
    assert rounds == [(1, Outcome.PARTLY, Rating.UNSATISFIED, True), (2, Outcome.RESOLVED, Rating.SATISFIED, True)]
    assert events(appeal) == ["submitted", "accepted", "dispatched", "sent_back", "dispatched", "signed", "replied", "reopened",
                              "replied", "rated"]
    sent_back = MatterEvent.objects.get(kind="appeals.appeal", matter_id=appeal.pk, event="sent_back")
    assert sent_back.unit == county.units["transport"]  # counted against the unit that sent it back


def test_a_second_unsatisfied_rating_goes_to_the_leader_in_charge(county, dispatched, desk):
    head = as_actor(county.people["unit_head"])  # 交通运输局, in 李副县长's charge
    with at("2026-06-01"):
        appeal = dispatched()
        services.dispatch_appeal(desk, services_send_back(appeal, county), lead_unit=county.units["transport"])
        services.sign_appeal(head, fresh(appeal))
        for _ in range(2):
            services.reply_appeal(head, fresh(appeal), public_text="已答复", outcome=Outcome.RESOLVED)
            services.rate_appeal(desk, fresh(appeal), rating=Rating.UNSATISFIED, comment="问题依旧")
    appeal = fresh(appeal)
    assert appeal.state == AppealState.HANDLING and appeal.reopen_count == 2 and appeal.escalated
    assert appeal.leader_in_charge == county.people["leader"]
    note = Notification.objects.get(recipient=county.people["leader"], kind="appeals.escalated")
    assert appeal.code in note.title
    assert Appeal.objects.visible_to(county.people["leader"]).filter(pk=appeal.pk).exists()


def services_send_back(appeal, county):
    services.send_back_appeal(as_actor(county.people["liaison"]), appeal, reason="不属本单位职责")
    return fresh(appeal)


def test_refusals_change_nothing_and_say_what_to_do(county, dispatched, desk):
    with at("2026-06-01"):
        appeal = dispatched()
        before = (appeal.version, appeal.state, len(events(appeal)))
        with pytest.raises(NotAllowed, match="不在您的职责范围内"):
            services.sign_appeal(as_actor(county.people["township_liaison"]), appeal)
        with pytest.raises(NotAllowed, match="只有承办单位的联络员或一把手可以办理"):
            services.sign_appeal(as_actor(county.people["principal"]), appeal)
        with pytest.raises(ServiceError, match="不能答复"):
            services.reply_appeal(as_actor(county.people["liaison"]), appeal, public_text="x", outcome=Outcome.RESOLVED)
        with pytest.raises(ServiceError, match="请填写退单理由"):
            services.send_back_appeal(as_actor(county.people["liaison"]), appeal, reason=" ")
        services.sign_appeal(as_actor(county.people["liaison"]), appeal)
        with pytest.raises(ServiceError, match="法律法规或政策依据"):
            services.reply_appeal(as_actor(county.people["liaison"]), fresh(appeal), public_text="不能办", outcome=Outcome.UNRESOLVABLE)
    assert before[1] == AppealState.DISPATCHED and fresh(appeal).state == AppealState.HANDLING
    assert len(events(appeal)) == before[2] + 1


def test_an_extension_for_a_complex_appeal_moves_the_reply_limit_once_approved(county, dispatched, desk):
    unit = as_actor(county.people["liaison"])
    with at("2026-06-01"):
        appeal = dispatched()
        services.sign_appeal(unit, appeal)
        assert fresh(appeal).due_date == dt.date(2026, 6, 8)
        services.request_extension(unit, appeal, reason="涉及土地规划调整，需县自然资源局会审")
        services.decide_extension(desk, fresh(appeal), approve=True)
    appeal = fresh(appeal)
    assert appeal.is_complex and not appeal.extension_requested
    assert appeal.due_date == dt.date(2026, 6, 23)  # 15 working days from signing (端午 6月19日 is a holiday)


def test_each_limit_passed_is_chased_on_the_ladder_across_a_holiday(county, submit, desk):
    """Submitted on the eve of 国庆: not accepted within 1 working day → the ladder chases the business office;
    accepted and dispatched, not signed for → chases the unit; signed, not replied to → the unit again; replied,
    not called back → the office. Each step is its own deadline cycle: its ladder starts afresh."""
    def fired(appeal):
        return list(SupervisionAction.objects.filter(matter_type__model="appeal", matter_id=appeal.pk)
                    .order_by("deadline_cycle", "issued_on", "id").values_list("deadline_cycle", "kind", "issued_on", "target_unit__name"))

    with at("2026-09-30"):
        appeal = submit().appeal
    assert appeal.due_date == dt.date(2026, 10, 8)  # 国庆 10月1日—7日: the next working day is 10月8日
    sweep(dt.datetime(2026, 10, 12, 9, tzinfo=CST))  # 10月10日 (Saturday) is a make-up working day
    assert fired(appeal) == [(1, ActionKind.REMIND, dt.date(2026, 10, 8), "县营商办"), (1, ActionKind.URGE, dt.date(2026, 10, 9), "县营商办"),
                             (1, ActionKind.NOTICE, dt.date(2026, 10, 10), "县营商办")]
    assert fresh(appeal).light == Light.RED and appeal.light_reason == "受理超时（时限 2026年10月8日）"
    with at("2026-10-12"):
        services.accept_appeal(desk, appeal)
        services.dispatch_appeal(desk, fresh(appeal), lead_unit=county.units["ndrc"])
    assert fresh(appeal).due_date == dt.date(2026, 10, 13) and appeal.deadline_cycle == 3 and appeal.light == Light.GREEN
    assert not appeal.under_notice  # the notice was on the accept step: the next step starts clean
    sweep(dt.datetime(2026, 10, 14, 9, tzinfo=CST))
    assert fired(appeal)[3:] == [(3, ActionKind.REMIND, dt.date(2026, 10, 13), "县发展和改革局"),
                                 (3, ActionKind.URGE, dt.date(2026, 10, 14), "县发展和改革局")]
    with at("2026-10-14"):
        services.sign_appeal(as_actor(county.people["liaison"]), fresh(appeal))
    assert fresh(appeal).due_date == dt.date(2026, 10, 21)
    sweep(dt.datetime(2026, 10, 23, 9, tzinfo=CST))
    assert [row[1:3] for row in fired(appeal)[5:]] == [(ActionKind.REMIND, dt.date(2026, 10, 21)), (ActionKind.URGE, dt.date(2026, 10, 22)),
                                                        (ActionKind.NOTICE, dt.date(2026, 10, 23))]
    with at("2026-10-23"):
        services.reply_appeal(as_actor(county.people["liaison"]), fresh(appeal), public_text="已办理", outcome=Outcome.RESOLVED)
    reply = AppealReply.objects.get(appeal=appeal)
    assert reply.due_date == dt.date(2026, 10, 21) and reply.on_time is False
    assert fresh(appeal).due_date == dt.date(2026, 10, 28) and not appeal.under_notice
    sweep(dt.datetime(2026, 10, 29, 9, tzinfo=CST))
    assert [(row[1], row[3]) for row in fired(appeal)[8:]] == [(ActionKind.REMIND, "县营商办"), (ActionKind.URGE, "县营商办")]


def test_an_urgent_appeal_has_two_days_to_reply_and_the_stricter_ladder(county, dispatched):
    with at("2026-06-01"):
        appeal = dispatched(urgency="urgent")
        services.sign_appeal(as_actor(county.people["liaison"]), appeal)
    assert fresh(appeal).due_date == dt.date(2026, 6, 3)
    sweep(dt.datetime(2026, 6, 4, 9, tzinfo=CST))
    kinds = list(SupervisionAction.objects.filter(matter_id=appeal.pk, deadline_cycle=appeal.deadline_cycle).order_by("id").values_list("kind", "issued_on"))
    assert kinds == [(ActionKind.REMIND, dt.date(2026, 6, 3)), (ActionKind.URGE, dt.date(2026, 6, 3)), (ActionKind.NOTICE, dt.date(2026, 6, 4))]


def test_a_new_appeal_within_90_days_of_a_closed_one_is_a_repeat_against_the_unit_that_closed_it(county, dispatched, submit, desk):
    unit = as_actor(county.people["liaison"])
    with at("2026-03-02"):
        first = dispatched()
        services.sign_appeal(unit, first)
        services.reply_appeal(unit, fresh(first), public_text="已解决", outcome=Outcome.RESOLVED)
        services.rate_appeal(desk, fresh(first), rating=Rating.BASIC)
    with at("2026-05-29"):  # 88 days after
        again = submit(description="车间用电增容问题又出现了").appeal
        other = submit(category="land", description="用地问题").appeal
    with at("2026-06-02"):  # 92 days after
        late = submit(description="再次反映用电").appeal
    assert again.repeat_of == first and again.repeat_unit == county.units["ndrc"]
    assert other.repeat_of is None and late.repeat_of is None
    assert "90 天内重复诉求" in MatterEvent.objects.get(kind="appeals.appeal", matter_id=again.pk, event="submitted").text


def test_an_invalid_submission_stores_nothing(county, submit):
    with pytest.raises(ServiceError) as refused:
        submit(credit_code="91640000000000001X")
    assert refused.value.field == "credit_code" and Appeal.objects.count() == 0
    with pytest.raises(ServiceError, match="联系电话"):
        submit(phone="12345")
    assert Appeal.objects.count() == 0 and MatterEvent.objects.count() == 0
