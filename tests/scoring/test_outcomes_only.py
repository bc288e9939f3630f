"""No rule can be based on activity — logins, clicks, time online, number of reports (SPEC preamble, issue 11)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from duban.core.errors import NotAllowed, ServiceError
from duban.scoring import services
from duban.scoring.choices import Outcome
from duban.scoring.forms import RuleForm
from duban.scoring.models import Rule, RuleSet
from tests.scoring.conftest import actor, at

ACTIVITY = ["login", "logins", "click", "clicks", "time_online", "online_minutes", "report_count", "reports", "progress", "check_in"]


def test_the_outcome_list_holds_results_only():
    assert set(Outcome.values) == {
        "overdue_task", "late_sign", "notice_received", "unanswered_notice", "interview", "accountability",
        "returned_verification", "early_completion", "quality_excellent", "quality_good", "unsatisfied_appeal", "send_back",
        "repeat_appeal", "late_procedure", "hazard_recurrence", "praise"}
    assert not set(ACTIVITY) & set(Outcome.values)


@pytest.mark.parametrize("code", ACTIVITY)
def test_no_rule_can_be_about_activity(county, code):
    office = actor(county.people["supervision"])
    with at("2026-10-20"):
        version = services.create_ruleset(office, valid_from=dt.date(2026, 1, 1))
    with pytest.raises(ValidationError) as refused:
        Rule(ruleset=version, outcome=code, points=-1).full_clean()
    assert "outcome" in refused.value.message_dict
    with pytest.raises(ServiceError, match="考核只能依据办理结果（如逾期、回访不满意、提前完成），不能依据登录、点击、在线时长或报送次数等痕迹。"):
        services.set_rule(office, version, outcome=code, points="-1")
    form = RuleForm(data={"outcome": code, "points": "-1", "cap": ""})
    assert not form.is_valid() and "outcome" in form.errors
    with pytest.raises(IntegrityError), transaction.atomic():  # and the database's own check
        Rule.objects.create(ruleset=version, outcome=code, points=-1)
    assert not Rule.objects.exists()


def test_only_the_office_edits_rules_and_only_a_principal_leader_praises(county):
    with at("2026-10-20"):
        with pytest.raises(NotAllowed):
            services.create_ruleset(actor(county.people["principal"]), valid_from=dt.date(2026, 1, 1))
        with pytest.raises(NotAllowed, match="领导表扬由县主要领导填写。"):
            services.give_praise(actor(county.people["supervision"]), unit=county.units["ndrc"], text="好")
        version = services.create_ruleset(actor(county.people["supervision"]), valid_from=dt.date(2026, 1, 1))
        for points, message in [("0", "分值不能为 0"), ("abc", "分值应为数字"), ("150", "应在 -100 到 100 之间")]:
            with pytest.raises(ServiceError, match=message):
                services.set_rule(actor(county.people["supervision"]), version, outcome="late_sign", points=points)
    assert RuleSet.objects.count() == 1 and not Rule.objects.exists()
