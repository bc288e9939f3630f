"""Keyset paging (core.paging): every row once, in order, both ways, whatever the ordering's directions."""

import pytest

from duban.core.models import User
from duban.core.paging import BadCursor, Keyset
from tests.ledger.conftest import campaign, make_task  # noqa: F401 — fixtures

pytestmark = pytest.mark.django_db

ORDERINGS = [["title", "id"], ["-title", "-id"], ["title", "-id"], ["-title", "id"], ["id"], ["-id"]]


@pytest.fixture
def people():
    # 23 people over 4 titles (ASCII: the same order under any collation): the first field repeats, so pages
    # break inside a run of equal titles
    User.objects.bulk_create(
        User(username=f"p{n:02d}", full_name=f"人员{n}", title=["clerk", "chief", "deputy", "head"][n % 4]) for n in range(23)
    )
    return User.objects.filter(username__startswith="p")


def in_order(rows, fields):
    """`rows` sorted by `fields` ("-name" descending), with stable sorts from the last field to the first."""
    rows = list(rows)
    for field in reversed(fields):
        rows.sort(key=lambda row, name=field.lstrip("-"): getattr(row, name), reverse=field.startswith("-"))
    return rows


@pytest.mark.parametrize("fields", ORDERINGS, ids=" ".join)
def test_pages_walk_every_row_once_forward_and_back(people, fields):
    keyset = Keyset(fields)
    expected = [u.pk for u in in_order(people, fields)]
    pages, cursor = [], None
    while True:
        page = keyset.page(people, cursor=cursor, size=5)
        pages.append([u.pk for u in page.rows])
        if not page.has_next:
            break
        cursor = page.next_cursor
    assert [pk for page in pages for pk in page] == expected
    assert [len(p) for p in pages] == [5, 5, 5, 5, 3]
    back = []
    while page.has_previous:
        page = keyset.page(people, cursor=page.prev_cursor, size=5)
        back.insert(0, [u.pk for u in page.rows])
    assert back == pages[:-1]


@pytest.mark.parametrize(("fields", "backwards", "bound"), [
    (["title", "id"], False, '"core_user"."title" >= '),
    (["title", "id"], True, '"core_user"."title" <= '),
    (["-title", "-id"], False, '"core_user"."title" <= '),
    (["-title", "-id"], True, '"core_user"."title" >= '),
])
def test_the_condition_bounds_the_first_field_so_an_index_range_can_start_at_the_cursor(fields, backwards, bound):
    condition = Keyset(fields)._beyond(["chief", 7], backwards)
    sql = str(User.objects.filter(condition).query)
    assert bound in sql  # AND-ed with the exact (a > x) OR (a = x AND b > y)


def test_a_cursor_from_another_ordering_is_refused(people):
    cursor = Keyset(["title", "id"]).page(people, size=5).next_cursor
    with pytest.raises(BadCursor):
        Keyset(["id"]).page(people, cursor=cursor)


def test_a_cursor_whose_value_is_not_of_the_field_is_refused_not_a_500(county, campaign, make_task):
    """A hand-edited cursor with a date that is no date: the keyset refuses it, and the ledger list says so."""
    import base64
    import json

    from duban.ledger.models import Task

    make_task()
    forged = base64.urlsafe_b64encode(json.dumps(["after", ["2026-13-45", 1]]).encode()).decode().rstrip("=")
    with pytest.raises(BadCursor):
        Keyset(["due_sort", "id"]).page(Task.objects.all(), cursor=forged)
    response = county.client("supervision").get("/ledger/", {"cursor": forged})
    assert response.status_code == 200 and "翻页参数无效，请从第一页重新浏览。" in response.content.decode()
