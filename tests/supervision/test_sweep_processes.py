"""Two sweep processes started together against one database (SQLite, or PostgreSQL when the suite runs on
it) fire every step exactly once: the demo county, two `duban sweep` at the same moment, then a third."""

import subprocess
import sys

import pytest
from django.conf import settings

from tests.test_worker import REPO, Site, fresh_postgres_database

NOW = "2026-11-24T09:00"


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory):
    on_postgres = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    database_url, drop = fresh_postgres_database() if on_postgres else (None, None)
    try:
        site = Site(tmp_path_factory.mktemp("sweep-site"), database_url)
        site.run("manage", "migrate", "--no-input", "-v", "0")
        site.run("demo")
        yield site
    finally:
        if drop:
            drop()


def test_two_sweeps_at_once_fire_every_step_once(demo_site):
    racers = [subprocess.Popen([sys.executable, "-m", "duban", "sweep", "--now", NOW], cwd=REPO, env=demo_site.env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [r.communicate(timeout=300) for r in racers]

    assert [r.returncode for r in racers] == [0, 0], outputs
    said = "".join(out for out, _err in outputs)
    fired = demo_site.sql("SELECT COUNT(*) FROM supervision_supervisionaction")[0][0]
    assert fired > 0, said
    # Each step once per matter and cycle; each message once per person.
    assert demo_site.sql("SELECT matter_id, deadline_cycle, slot FROM supervision_supervisionaction "
                         "GROUP BY matter_id, deadline_cycle, slot HAVING COUNT(*) > 1") == []
    assert demo_site.sql("SELECT recipient_id, title FROM notify_notification GROUP BY recipient_id, title HAVING COUNT(*) > 1") == []
    # One of the two did the work; the other skipped (PostgreSQL) or, after waiting, found nothing to do (SQLite).
    assert said.count(f"发出督办 {fired} 项") == 1, said
    assert ("另一个巡检正在进行" in said) or ("发出督办 0 项" in said), said

    third = demo_site.run("sweep", "--now", NOW).stdout
    assert "发出督办 0 项" in third and "更新亮灯 0 项" in third and "发送消息 0 条" in third
    assert demo_site.sql("SELECT COUNT(*) FROM supervision_supervisionaction")[0][0] == fired
