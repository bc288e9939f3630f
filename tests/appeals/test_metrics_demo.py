"""The demo's year of appeals (`duban demo`'s appeals story alone, on the demo county): every state, the side paths
the rates must count apart, and on it the rates page's every number links to a list of exactly that many appeals."""

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
from django.http import QueryDict
from django.test import Client, RequestFactory
from django.utils import timezone

from duban.appeals import creditcode
from duban.appeals.choices import AppealState
from duban.appeals.demo import AppealsDemo
from duban.appeals.filters import AppealFilter
from duban.appeals.models import Appeal
from duban.core import demo
from duban.core.models import User
from duban.matters.models import MatterEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(monkeypatch):
    monkeypatch.setattr(demo, "_stories", [AppealsDemo])
    return demo.load()


def test_the_demo_appeals_cover_every_state_and_side_path_and_their_rates_link_exactly(loaded):
    appeals = Appeal.objects.all()
    assert 290 <= appeals.count() <= 360
    assert set(appeals.values_list("state", flat=True)) == set(AppealState.values)
    assert appeals.filter(sendback_count__gt=0).count() >= 5
    assert appeals.filter(repeat_of__isnull=False).count() >= 5
    assert appeals.filter(excluded=True).count() >= 5 and appeals.filter(identity_hidden=True).count() >= 5
    assert appeals.filter(reopen_count__gt=0).count() >= 5 and appeals.filter(is_complex=True).exists()
    assert {o for o in appeals.values_list("outcome", flat=True) if o} == {"resolved", "partly", "unresolvable"}
    assert all(creditcode.is_valid(c) for c in appeals.exclude(credit_code="").values_list("credit_code", flat=True))
    # Each step was taken by whose job it is: the office accepts and dispatches, the unit signs and sends back.
    for event in MatterEvent.objects.filter(kind="appeals.appeal", event__in=["accepted", "dispatched"]).select_related("person"):
        assert "business" in event.person.roles
    for event in MatterEvent.objects.filter(kind="appeals.appeal", event__in=["signed", "sent_back"]).select_related("person"):
        assert event.person.unit_id == event.unit_id  # the unit's own liaison or head

    office = User.objects.get(username="yingshang1")
    client = Client()
    client.force_login(office)
    today = timezone.localdate()
    period = {"accepted_from": (today - dt.timedelta(days=400)).isoformat(), "accepted_to": today.isoformat()}
    html = client.get("/appeals/metrics/", period).content.decode()
    request = RequestFactory().get("/appeals/list/")
    request.user = office
    found = [(h.replace("&amp;", "&"), int(n)) for h, n in re.findall(r'<a href="(/appeals/list/\?[^"]+)"[^>]*>(\d+)</a>', html)]
    assert len(found) > 200 and sum(n for _h, n in found) > 1000
    for href, number in found:
        filterset = AppealFilter(QueryDict(urlsplit(href).query), queryset=Appeal.objects.visible_to(office), request=request)
        assert filterset.is_valid() and filterset.qs.count() == number, href
