"""Every `duban` command on a brand-new data directory (or a database it cannot reach) either sets the
database up first or says in one Chinese line what to run — never a traceback."""

import os
import subprocess
import sys

import pytest


def run_duban(data_dir, *args, **env):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DUBAN_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment.update({"DUBAN_DATA_DIR": str(data_dir)}, **env)
    return subprocess.run([sys.executable, "-m", "duban", *args], env=environment, capture_output=True, text=True, timeout=600)


def one_line_refusal(done) -> str:
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    return lines[0]


@pytest.mark.parametrize("args", [("sweep",), ("export", "ledger", "-o", "out.xlsx"), ("audit", "verify"), ("backup", "-o", "b.tar")])
def test_a_command_on_a_fresh_data_dir_says_what_to_run(tmp_path, args):
    done = run_duban(tmp_path, *args)

    line = one_line_refusal(done)
    assert line.startswith(f"duban {args[0]}：数据库尚未迁移到当前版本")
    assert "请先运行 `duban manage migrate`" in line
    assert not (tmp_path / "out.xlsx").exists() and not (tmp_path / "b.tar").exists()


def test_a_database_that_cannot_be_reached_is_one_line_too(tmp_path):
    done = run_duban(tmp_path, "sweep", DUBAN_DATABASE_URL="postgres://postgres@127.0.0.1:1/nowhere")

    line = one_line_refusal(done)
    assert line.startswith("duban sweep：无法访问数据库（")
    assert "请检查 DUBAN_DATABASE_URL" in line


def test_demo_on_a_fresh_data_dir_migrates_first_and_loads_the_county(tmp_path):
    done = run_duban(tmp_path, "demo", "--if-empty")

    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "先执行" in done.stderr and "个迁移" in done.stderr
    assert "ducha1" in done.stdout  # the demo logins are printed
    again = run_duban(tmp_path, "sweep")
    assert again.returncode == 0, again.stderr
