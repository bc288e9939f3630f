"""The notification settings are parsed strictly: a malformed value stops start-up naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


def load_settings(tmp_path, **env) -> subprocess.CompletedProcess:
    environment = {**os.environ, "DUBAN_DATA_DIR": str(tmp_path), **env}
    return subprocess.run([sys.executable, "-c", "import duban.settings as s; print(s.DUBAN_WORK_START, s.DUBAN_NOTIFY_RETRY_DELAYS, s.DUBAN_SMS_HEADERS)"],
                          env=environment, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("env, message", [
    ({"DUBAN_WORK_START": "8点半"}, "DUBAN_WORK_START='8点半': expected a time of day such as 08:30"),
    ({"DUBAN_WORK_START": "18:30"}, "DUBAN_WORK_START must be before DUBAN_WORK_END"),
    ({"DUBAN_NOTIFY_RETRY_DELAYS": "60,5分钟"}, "DUBAN_NOTIFY_RETRY_DELAYS: expected comma-separated whole seconds"),
    ({"DUBAN_SMS_HEADERS": "X-Api-Key: 1"}, "DUBAN_SMS_HEADERS: expected a JSON object of strings"),
    ({"DUBAN_SMS_METHOD": "PUT"}, "DUBAN_SMS_METHOD='PUT': expected GET or POST"),
    ({"DUBAN_EMAIL_TLS": "1", "DUBAN_EMAIL_SSL": "1"}, "DUBAN_EMAIL_TLS and DUBAN_EMAIL_SSL exclude each other"),
])
def test_a_malformed_value_stops_start_up(tmp_path, env, message):
    result = load_settings(tmp_path, **env)
    assert result.returncode != 0
    assert message in result.stderr


def test_good_values_are_read(tmp_path):
    result = load_settings(tmp_path, DUBAN_WORK_START="09:00", DUBAN_NOTIFY_RETRY_DELAYS="30, 120",
                           DUBAN_SMS_HEADERS='{"X-Api-Key": "k"}')
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "09:00:00 [30, 120] {'X-Api-Key': 'k'}"
