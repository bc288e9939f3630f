"""Low, cheap defences of issue 15: a strict Content-Security-Policy on every response, and templates that
need nothing it would refuse; a refused request logged in one line; invisible characters kept out of input."""

import logging
import re
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse

from duban.core.logging import NoTracebackFor4xx
from duban.core.middleware import InvisibleCharactersMiddleware

TEMPLATES = Path(settings.BASE_DIR) / "templates"
POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self' data:; "
          "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


@pytest.mark.parametrize("path", ["/login/", "/", "/api/v1/me", "/no-such-page/", "/static/duban/duban.js"])
def test_every_response_carries_the_strict_policy(client, county, path):
    response = client.get(path)

    assert response["Content-Security-Policy"] == POLICY


def test_signed_in_pages_and_the_api_docs_carry_it_too(county):
    office = county.client("supervision")

    for path in (reverse("home"), reverse("ledger:task_list"), "/api/v1/docs"):
        assert office.get(path)["Content-Security-Policy"] == POLICY


def test_no_template_has_an_inline_script_handler_or_style():
    found = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        for pattern in (r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", r"\son[a-z]+=", r"\sstyle=", r"<style", "javascript:"):
            found += [f"{path.relative_to(TEMPLATES)}: {m.group(0)}" for m in re.finditer(pattern, text)]
    assert found == []


# --- the log -------------------------------------------------------------------------------------------


def test_an_ordinary_403_is_one_line_in_the_log_without_a_traceback(county, caplog):
    leader = county.client("leader")  # a county leader may not import sheets: role_required raises PermissionDenied

    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert leader.get(reverse("ledger:import")).status_code == 403

    (record,) = [r for r in caplog.records if r.name == "django.request"]
    assert record.getMessage() == "Forbidden (Permission denied): /ledger/import/"
    assert record.exc_info is None and "Traceback" not in caplog.text


def test_a_server_error_keeps_its_traceback():
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "Internal Server Error: /x", (), sys.exc_info())
    record.status_code = 500

    assert NoTracebackFor4xx().filter(record) and record.exc_info is not None


# --- invisible characters ------------------------------------------------------------------------------


def test_passwords_are_taken_exactly_as_typed_while_other_fields_lose_invisible_characters(rf):
    seen = {}

    def view(request):
        seen.update(request.POST.dict())
        return HttpResponse()

    request = rf.post("/", {"name": "县\u200b交通局", "new_password1": "Pass\u200bword-1", "password": "a\u202eb"})
    InvisibleCharactersMiddleware(view)(request)

    assert seen == {"name": "县交通局", "new_password1": "Pass\u200bword-1", "password": "a\u202eb"}


def test_a_json_body_that_is_not_json_is_left_for_the_api_to_refuse(rf):
    seen = []
    request = rf.post("/", data="{not json\u200b", content_type="application/json")
    InvisibleCharactersMiddleware(lambda r: seen.append(r.body) or HttpResponse())(request)

    assert seen == ["{not json\u200b".encode()]
