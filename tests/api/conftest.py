"""API test kit: a bearer token for every fixture role, and a client that speaks JSON with it."""

import json

import pytest
from django.test import Client

from duban.api import services as token_services
from duban.core.actor import Actor
from tests.ledger.conftest import as_actor, campaign, make_task  # noqa: F401  (fixtures shared with the ledger tests)

API = "/api/v1"


class ApiClient:
    """A Django test client that sends `Authorization: Bearer …` and JSON bodies."""

    def __init__(self, token: str | None):
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path, params=None):
        return self.client.get(API + path, params or {}, headers=self.headers)

    def post(self, path, body=None, raw: str | None = None):
        data = raw if raw is not None else json.dumps(body if body is not None else {})
        return self.client.post(API + path, data=data, content_type="application/json", headers=self.headers)


@pytest.fixture
def api(county):
    """api("liaison").get("/tasks"): the API as that role sees it, through a token of that person."""
    made = {}

    def _client(role: str) -> ApiClient:
        if role not in made:
            made[role] = token_services.create_token(Actor(user=county.people[role]), name="测试")[1]
        return ApiClient(made[role])

    return _client


__all__ = ["as_actor", "campaign", "make_task"]
