"""Low, cheap defences of issue 15: a strict Content-Security-Policy on every response, and templates that
need nothing it would refuse."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

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
