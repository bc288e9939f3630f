"""Shapes the API shares across apps: the strict request base, references, errors and pages."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import ConfigDict, model_validator

MAX_ID = 2**63 - 1  # larger ids cannot exist and would overflow the database's integer


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_has_nul(v) for v in value)
    return False


class Input(Schema):
    """Base of every request body: unknown fields are refused (422), not silently dropped."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data):
        # PostgreSQL cannot store NUL in text; refuse it here with a message instead of failing there.
        if _has_nul(data):
            raise ValueError(_("文字中不能含有空字符（\\u0000）。"))
        return data


class Error(Schema):
    """What every error answer looks like."""

    detail: str
    field: str | None = None


class ValidationProblem(Schema):
    loc: list[str]
    field: str | None
    msg: str
    type: str


class ValidationErrorOut(Error):
    errors: list[ValidationProblem] = []


class Ref(Schema):
    """A unit, person or campaign named by id and name."""

    id: int
    name: str


ERRORS = {400: Error, 401: Error, 403: Error, 404: Error, 409: Error, 422: ValidationErrorOut}
