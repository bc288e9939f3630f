"""Ledger fixtures: a 2026 campaign with one front in the fixture county, and tasks built through the services."""

import datetime as dt

import pytest

from duban.core.actor import Actor
from duban.ledger import services
from duban.ledger.models import Campaign, Front


@pytest.fixture
def campaign(county):
    campaign = Campaign.objects.create(name="2026年执行力亮剑行动", year=2026)
    front = Front.objects.create(campaign=campaign, number=1, name="项目建设战线", lead_unit=county.units["ndrc"])
    front.lead_leaders.add(county.people["leader"])
    return campaign


def as_actor(user):
    return Actor(user=user)


@pytest.fixture
def make_task(county, campaign):
    """A task with all five clarities, led by 县交通运输局 under 李副县长; registered unless told otherwise."""

    def _make(register=True, **overrides):
        values = dict(
            title="完成国道改线工程征地拆迁",
            standard="完成征地补偿协议签订\n完成地上附着物清点\n交付施工用地",
            leader_in_charge=county.people["leader"],
            lead_unit=county.units["transport"],
            responsible_person=county.people["unit_head"],
            due_date=dt.date(2026, 12, 31),
            start_date=dt.date(2026, 1, 1),
            deadline_text="2026年12月底前",
            reward_penalty="按期完成加2分，逾期扣3分",
            front=campaign.fronts.first(),
        )
        values.update(overrides)
        office = as_actor(county.people["supervision"])
        task = services.create_task(office, campaign, **values)
        if register:
            services.register_task(office, task)
        task.refresh_from_db()
        return task

    return _make
