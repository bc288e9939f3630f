"""Checks that run with the suite (so CI runs them): ruff over the code, and models that match their
migrations (a model change without its migration would only be found on a county's server)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent


def test_ruff_finds_nothing():
    """`ruff check` with the rules of pyproject.toml ([tool.ruff]) over src, tests and bench."""
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "src", "tests", "bench"],
                            cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.django_db
def test_every_model_change_has_its_migration(capsys):
    try:
        call_command("makemigrations", check=True, dry_run=True, verbosity=1)
    except SystemExit:
        pytest.fail("模型与迁移不一致，请运行 duban manage makemigrations：\n" + capsys.readouterr().out)
