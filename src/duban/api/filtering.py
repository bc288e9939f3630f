"""A list endpoint's query schema as the parameters of the app's one FilterSet (the page's), and the
FilterSet's refusals as the API's 422: every list filters exactly as its page does."""

from __future__ import annotations

from collections.abc import Iterable

from django.http import QueryDict
from ninja.errors import ValidationError


def as_params(query, single: Iterable[str] = (), multiple: Iterable[str] = ()) -> QueryDict:
    """The given fields of a query schema as FilterSet parameters: dates as ISO dates, lists as repeated keys."""
    data = QueryDict(mutable=True)
    for name in single:
        value = getattr(query, name)
        if value is not None:
            data[name] = value.isoformat() if hasattr(value, "isoformat") else str(value)
    for name in multiple:
        values = getattr(query, name)
        if values:
            data.setlist(name, [str(v) for v in values])
    return data


def check(filterset):
    """The FilterSet, or its errors as a 422 naming each query parameter (in Chinese, from the form)."""
    if not filterset.is_valid():
        raise ValidationError([{"loc": ("query", name), "msg": " ".join(messages), "type": "value_error"}
                               for name, messages in filterset.errors.items()])
    return filterset
