"""Every URL × every role: a kind writes the HTTP status each role of the fixture county gets, as a grid.

    PAGES = Statuses('''
                    anon   prin lead sup  bus  saf  head sect lia  town sys  sec  aud
        list        login  200  200  200  403  403  200  200  200  200  403  403  403
        detail      login  200  200  200  403  403  200  404  404  404  403  403  403
    ''')

Columns are the people of `tests.conftest.County` (abbreviated as in `COLUMNS`; "anon" is nobody signed
in); rows name URLs that the kind builds from its fixture objects. A cell is an HTTP status, or `login`
(a 302 to the sign-in page that comes back to the URL). `check` requests every URL as one role and fails
once, listing every URL whose status differs: the URL, the role, what the grid expects and what came back.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping

import pytest
from django.contrib.auth.views import redirect_to_login
from django.test import Client

from duban.api import services as token_services
from duban.core.actor import Actor

# Header abbreviation → the person of County.people (None: anonymous).
COLUMNS = {
    "anon": None, "prin": "principal", "lead": "leader", "sup": "supervision", "bus": "business", "saf": "safety",
    "head": "unit_head", "sect": "section_liaison", "lia": "liaison", "town": "township_liaison",
    "sys": "sysadmin", "sec": "secadmin", "aud": "auditadmin",
}
ANONYMOUS = "anonymous"
ROLES = [ANONYMOUS if key is None else key for key in COLUMNS.values()]
LOGIN = "login"
STATUSES = {200, 302, 400, 401, 403, 404, 405, 409, 422}

# @each_role on a test that takes `role`: one test per column of the grid.
each_role = pytest.mark.parametrize("role", ROLES)


class Statuses:
    """A grid of expected statuses: rows are URL names, columns roles (see the module's docstring)."""

    def __init__(self, grid: str):
        lines = [line.split() for line in grid.strip().splitlines() if line.strip() and not line.strip().startswith("#")]
        header, *rows = lines
        unknown = [h for h in header if h not in COLUMNS and h not in COLUMNS.values() and h != ANONYMOUS]
        if unknown:
            raise ValueError(f"unknown role columns {unknown}; known: {list(COLUMNS)}")
        self.roles = [_role(h) for h in header]
        self.rows: dict[str, dict[str, int | str]] = {}
        for name, *cells in rows:
            if len(cells) != len(self.roles):
                raise ValueError(f"row {name!r} has {len(cells)} cells for {len(self.roles)} roles")
            if name in self.rows:
                raise ValueError(f"row {name!r} twice")
            self.rows[name] = {role: _cell(name, cell) for role, cell in zip(self.roles, cells, strict=True)}

    def expected(self, name: str, role: str) -> int | str:
        return self.rows[name][role]

    def _copy(self, rows: dict) -> Statuses:
        copy = object.__new__(Statuses)
        copy.roles = list(self.roles)
        copy.rows = {n: dict(cells) for n, cells in rows.items()}
        return copy

    def replace(self, name: str, role: str, status: int | str) -> Statuses:
        """A copy with one cell changed (to prove that a wrong grid fails)."""
        copy = self._copy(self.rows)
        copy.rows[name][role] = status
        return copy

    def only(self, *names: str) -> Statuses:
        """A copy with just these rows (to check one URL at a time)."""
        return self._copy({name: self.rows[name] for name in names})


def _role(header: str) -> str:
    if header in COLUMNS:
        return COLUMNS[header] or ANONYMOUS
    return header


def _cell(row: str, cell: str) -> int | str:
    if cell == LOGIN:
        return LOGIN
    if not cell.isdigit() or int(cell) not in STATUSES:
        raise ValueError(f"row {row!r}: cell {cell!r} is neither `login` nor one of {sorted(STATUSES)}")
    return int(cell)


def page_client(county, role: str) -> Client:
    """The browser of `role` (signed in), or of nobody."""
    return Client() if role == ANONYMOUS else county.client(role)


class ApiClient:
    """The API as a program of `role`'s person calls it: a bearer token (made through the token service), JSON."""

    def __init__(self, county, role: str):
        self.client, self.headers = Client(), {}
        if role != ANONYMOUS:
            _token, raw = token_services.create_token(Actor(user=county.people[role]), name="测试")
            self.headers = {"Authorization": f"Bearer {raw}"}

    def get(self, url: str, params=None):
        return self.client.get(url, params or {}, headers=self.headers)

    def post(self, url: str, body=None):
        return self.client.post(url, json.dumps(body or {}), content_type="application/json", headers=self.headers)


def api_client(county, role: str) -> ApiClient:
    return ApiClient(county, role)


def api_get(county, role: str) -> Callable[[str], object]:
    """GET with a bearer token of `role`'s person, or with no token."""
    return ApiClient(county, role).get


def _outcome(response, url: str, expected: int | str) -> tuple[bool, str]:
    status = response.status_code
    location = response.get("Location", "")
    shown = f"{status} → {location}" if location else str(status)
    if expected == LOGIN:
        return status == 302 and location == redirect_to_login(url)["Location"], shown
    return status == expected, shown


def check(statuses: Statuses, urls: Mapping[str, str], role: str, get: Callable[[str], object], *, who: str = "") -> None:
    """Request every URL of `urls` as `role` (through `get`) and fail, naming each URL whose status the grid
    does not expect. The grid and `urls` must name the same rows."""
    if set(urls) != set(statuses.rows):
        raise AssertionError(f"the grid's rows and the URLs differ: only in the grid {sorted(set(statuses.rows) - set(urls))}, "
                             f"only in the URLs {sorted(set(urls) - set(statuses.rows))}")
    if role not in statuses.roles:
        raise AssertionError(f"the grid has no column for {role}")
    wrong = []
    for name, url in urls.items():
        expected = statuses.expected(name, role)
        ok, shown = _outcome(get(url), url, expected)
        if not ok:
            wrong.append(f"GET {url} ({name}) as {role}{who}: expected {expected}, got {shown}")
    if wrong:
        raise AssertionError(f"{len(wrong)} of {len(urls)} URLs answered {role} otherwise than the grid says:\n  " + "\n  ".join(wrong))


def check_pages(statuses: Statuses, urls: Mapping[str, str], county, role: str) -> None:
    """The pages as `role` sees them in the browser."""
    check(statuses, urls, role, page_client(county, role).get, who=_who(county, role))


def check_api(statuses: Statuses, urls: Mapping[str, str], county, role: str) -> None:
    """The API as `role` calls it with a personal access token."""
    check(statuses, urls, role, api_get(county, role), who=_who(county, role, "bearer token"))


def _who(county, role: str, how: str = "") -> str:
    person = county.people.get(role)
    if person is None:
        return " (no token)" if how else ""
    return f" ({person.full_name}{', ' + how if how else ''})"
