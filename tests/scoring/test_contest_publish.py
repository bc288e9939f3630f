"""A unit contests a point; the office rules on it; a published period never changes (SPEC §8, issue 11)."""

import datetime as dt
from decimal import Decimal

import pytest

from duban.core.errors import NotAllowed, ServiceError
from duban.core.models import AuditEntry
from duban.scoring import collect, scores, services
from duban.scoring.models import Contest, Publication, ScoreEvent, ScoreSnapshot
from duban.scoring.periods import parse
from tests.scoring.conftest import actor, at


def overdue_point(county):
    return ScoreEvent.objects.get(outcome="overdue_task", unit=county.units["transport"])


def test_a_removed_point_no_longer_counts_in_the_unpublished_month(county, november):
    with at("2026-12-01"):
        collect.collect(parse("2026-11"))
        point = overdue_point(county)
        contest = services.raise_contest(actor(county.people["unit_head"]), point, reason="完成时限经县领导同意顺延，延期批复附后")
    with at("2026-12-02"):
        services.rule_contest(actor(county.people["supervision"]), contest, removed=True, note="延期批复属实，撤销该项扣分")
        row = scores.compute("2026-11").row(county.units["transport"].pk)
    assert row.score == Decimal("91.00")  # 88 + the 3 points of the overdue task
    removed = next(p for p in row.points if p.event_id == point.pk)
    assert (removed.counted, removed.note) == ("0.00", "申诉成立，已撤销该分")
    assert removed.contest == {"state": "removed", "state_label": "撤销该分", "reason": "完成时限经县领导同意顺延，延期批复附后",
                               "ruling": "延期批复属实，撤销该项扣分"}
    assert list(AuditEntry.objects.filter(action__startswith="scoring.contest").order_by("seq").values_list("action", flat=True)) == [
        "scoring.contest.raise", "scoring.contest.rule"]


def test_a_published_month_keeps_its_scores_whatever_happens_after(county, november, rules):
    office, head = actor(county.people["supervision"]), actor(county.people["unit_head"])
    with at("2026-12-03"):
        publication = services.publish(office, "2026-11")
        point = overdue_point(county)
        contest = services.raise_contest(head, point, reason="已获延期批准")
    frozen = list(ScoreSnapshot.objects.filter(publication=publication).values_list("unit_name", "score", "rank", "points"))
    assert [(n, s, r) for n, s, r, _p in frozen] == [
        ("县发展和改革局", Decimal("106.00"), 1), ("县交通运输局", Decimal("88.00"), 2),
        ("河口镇", Decimal("100.00"), 1), ("城关镇", Decimal("95.00"), 2)]
    with at("2026-12-04"):
        services.rule_contest(office, contest, removed=True, note="延期批复属实")
        services.give_praise(actor(county.people["principal"]), unit=county.units["transport"], text="征地攻坚", given_on=dt.date(2026, 11, 30))
        services.create_ruleset(office, valid_from=dt.date(2026, 12, 1), note="12月起", copy_from=rules[1])
        month = scores.board("2026-11")
        collect.collect(parse("2026"))
        year = scores.board("2026")
    # The month is read from its snapshot: the ruling, the late praise and the new version change nothing in it.
    assert month.published == publication
    assert month.row(county.units["transport"].pk).score == Decimal("88.00")
    assert list(ScoreSnapshot.objects.filter(publication=publication).values_list("unit_name", "score", "rank", "points")) == frozen
    # The year is not published: the removed point is gone from it, the praise (第2版 +3) and December's overdue task are in it.
    assert year.published is None
    assert year.row(county.units["transport"].pk).score == Decimal("94.00")  # 88 + 3 + 3
    assert year.row(county.units["ndrc"].pk).score == Decimal("101.00")


def test_publishing_locks_the_versions_it_used_and_happens_once(county, november, rules):
    office = actor(county.people["supervision"])
    with at("2026-12-03"):
        services.publish(office, "2026-11")
        with pytest.raises(ServiceError, match="第2版已用于已公布的考核期，不能修改；请新建一个版本。"):
            services.set_rule(office, rules[1], outcome="late_sign", points="-9")
        with pytest.raises(ServiceError, match="2026年11月 已公布，公布后不再改变。"):
            services.publish(office, "2026-11")
        with pytest.raises(ServiceError, match="已公布，新版本的起用日期须在其后"):
            services.create_ruleset(office, valid_from=dt.date(2026, 11, 20))
        with pytest.raises(ServiceError, match="2026年12月 尚未结束，结束后才能公布。"):
            services.publish(office, "2026-12")
    assert Publication.objects.count() == 1
    assert rules[1].rules.get(outcome="late_sign").points == Decimal("-2.00")


def test_who_may_contest_and_when(county, november):
    with at("2026-12-01"):
        collect.collect(parse("2026-11"))
    point = overdue_point(county)
    transport = county.units["transport"].pk
    with at("2026-12-01"), pytest.raises(NotAllowed, match="只有被考核单位的负责人或联络员可以对本单位的得分提出申诉。"):
        services.raise_contest(actor(county.people["liaison"]), point, reason="不是我们的")
    with at("2026-12-01"), pytest.raises(NotAllowed):  # the section's liaison does not speak for the department
        services.raise_contest(actor(county.people["section_liaison"]), point, reason="不是我们的")
    with at("2026-12-01"), pytest.raises(ServiceError, match="请写明申诉理由"):
        services.raise_contest(actor(county.people["unit_head"]), point, reason="  ")
    # Five working days after 30 November: 1, 2, 3, 4 and 7 December.
    assert services.contest_deadline(point) == dt.date(2026, 12, 7)
    with at("2026-12-08"), pytest.raises(ServiceError, match="申诉期已于 2026年12月07日 截止，不能再申诉此项。"):
        services.raise_contest(actor(county.people["unit_head"]), point, reason="已获延期批准")
    with at("2026-12-07"):
        contest = services.raise_contest(actor(county.people["unit_head"]), point, reason="延期已批准")
        with pytest.raises(ServiceError, match="此项已提出过申诉"):
            services.raise_contest(actor(county.people["unit_head"]), point, reason="再次申诉")
        with pytest.raises(NotAllowed):
            services.rule_contest(actor(county.people["unit_head"]), contest, removed=True, note="自己裁定")
        services.rule_contest(actor(county.people["supervision"]), contest, removed=False, note="逾期属实，维持")
        with pytest.raises(ServiceError, match="该申诉已裁定，不能再次裁定。"):
            services.rule_contest(actor(county.people["supervision"]), contest, removed=True, note="改判")
    assert Contest.objects.get().state == "upheld"
    with at("2026-12-07"):
        assert scores.compute("2026-11").row(transport).score == Decimal("88.00")


def test_red_and_black_lists_from_the_ranking_and_the_accountability_rule(county, november):
    office = actor(county.people["supervision"])
    with at("2026-12-03"):
        services.save_list_rule(office, colour="red", basis="top", count=1)
        services.save_list_rule(office, colour="black", basis="outcome", outcome="accountability")
        publication = services.publish(office, "2026-11")
    u = county.units
    assert publication.lists == {"department": {"red": [u["ndrc"].pk], "black": []},
                                 "township": {"red": [u["hekou"].pk], "black": [u["chengguan"].pk]}}
    with at("2026-12-03"):
        services.save_list_rule(office, colour="black", basis="bottom", count=1)
        from duban.scoring import lists

        assert lists.draw(scores.compute("2026-11"))["department"] == {"red": [u["ndrc"].pk], "black": [u["transport"].pk]}
        with pytest.raises(ServiceError, match="考核只能依据办理结果"):
            services.save_list_rule(office, colour="black", basis="outcome", outcome="login")
