"""Each role sees exactly its scope in the unit and people directories (SPEC §1), through HTTP."""

import re

import pytest
from django.urls import reverse

from tests.conftest import DIRECTORY_SCOPE

pytestmark = pytest.mark.django_db


def shown_ids(response, attr):
    return {int(x) for x in re.findall(rf'data-{attr}-id="(\d+)"', response.content.decode())}


@pytest.mark.parametrize("role", sorted(DIRECTORY_SCOPE))
def test_unit_directory_shows_exactly_the_roles_scope(county, role):
    response = county.client(role).get(reverse("unit_list"))
    assert response.status_code == 200
    expected = {county.units[key].pk for key in DIRECTORY_SCOPE[role]}
    assert shown_ids(response, "unit") == expected


@pytest.mark.parametrize("role", sorted(DIRECTORY_SCOPE))
def test_people_directory_shows_exactly_the_people_of_the_roles_units(county, role):
    response = county.client(role).get(reverse("people_list"))
    assert response.status_code == 200
    visible_units = {county.units[key].pk for key in DIRECTORY_SCOPE[role]}
    expected = {p.pk for p in county.people.values() if p.unit_id in visible_units}
    expected.add(county.people[role].pk)  # everyone finds himself
    assert shown_ids(response, "person") == expected


@pytest.mark.parametrize("role", sorted(DIRECTORY_SCOPE))
def test_unit_page_outside_scope_is_not_found(county, role):
    client = county.client(role)
    for key, unit in county.units.items():
        status = client.get(reverse("unit_detail", args=[unit.pk])).status_code
        assert status == (200 if key in DIRECTORY_SCOPE[role] else 404), (role, key)


def test_anonymous_is_sent_to_sign_in(client, county):
    response = client.get(reverse("people_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_people_list_runs_a_fixed_number_of_queries(county, django_assert_max_num_queries):
    from duban.core.models import User

    client = county.client("supervision")
    client.get(reverse("people_list"))
    with django_assert_max_num_queries(11) as few:  # 10, and the inbox's unread count in the header
        client.get(reverse("people_list"))
    for i in range(60):
        User.objects.create_user(username=f"extra{i}", full_name=f"人员{i}", unit=county.units["ndrc"])
    with django_assert_max_num_queries(len(few.captured_queries)) as many:
        response = client.get(reverse("people_list"))
    assert response.context["page"].paginator.count == 72
    assert len(many.captured_queries) == len(few.captured_queries)


def test_directory_lists_the_tree_in_reading_order_and_follows_a_move(county):
    from duban.core import services
    from duban.core.choices import UnitKind
    from tests.conftest import SYSTEM

    a = services.create_unit(SYSTEM, name="县乙局", kind=UnitKind.DEPARTMENT, sort_order=2)
    b = services.create_unit(SYSTEM, name="县甲局", kind=UnitKind.DEPARTMENT, sort_order=1)
    section = services.create_unit(SYSTEM, name="县乙局股室", kind=UnitKind.SECTION, parent=a)
    client = county.client("supervision")
    order = [int(x) for x in re.findall(r'data-unit-id="(\d+)"', client.get(reverse("unit_list")).content.decode())]
    assert order.index(b.pk) < order.index(a.pk) < order.index(section.pk)
    services.update_unit(SYSTEM, a, sort_order=0)  # 乙 moves first, its section with it
    order = [int(x) for x in re.findall(r'data-unit-id="(\d+)"', client.get(reverse("unit_list")).content.decode())]
    assert order.index(a.pk) < order.index(section.pk) < order.index(b.pk)
