"""The OpenAPI schema names each pydantic class once: two classes of one name in two apps would share one
component, and one of them would describe the other's endpoints (ninja keeps the last it meets)."""

from __future__ import annotations

import typing
from collections import defaultdict

import pydantic

from duban.api.main import api


def _models_in(annotation, seen: set) -> None:
    """Every pydantic model an annotation names, with the models their fields name in turn."""
    if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
        if annotation in seen:
            return
        seen.add(annotation)
        for field in annotation.model_fields.values():
            _models_in(field.annotation, seen)
        return
    for argument in typing.get_args(annotation):
        _models_in(argument, seen)


def _schema_classes() -> set[type]:
    """The models of every operation's parameters, body and responses."""
    seen: set[type] = set()
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for model in operation.models:
                    _models_in(model, seen)
                for response in operation.response_models.values():
                    _models_in(response, seen)
    return seen


def test_no_two_classes_share_a_component_name():
    by_name: dict[str, set[str]] = defaultdict(set)
    for model in _schema_classes():
        by_name[model.__name__].add(f"{model.__module__}.{model.__qualname__}")
    shared = {name: sorted(classes) for name, classes in by_name.items() if len(classes) > 1}
    assert shared == {}


def _resolve(schema: dict, ref_or_schema: dict) -> dict:
    while "$ref" in ref_or_schema:
        ref_or_schema = schema["components"]["schemas"][ref_or_schema["$ref"].rsplit("/", 1)[1]]
    return ref_or_schema


def test_the_task_timeline_refers_to_the_ledgers_event_fields(client):
    from duban.ledger.api import schemas as ledger

    schema = client.get("/api/v1/openapi.json").json()
    components = schema["components"]["schemas"]
    operation = schema["paths"]["/api/v1/tasks/{code}/events"]["get"]
    page = _resolve(schema, operation["responses"]["200"]["content"]["application/json"]["schema"])
    item = _resolve(schema, page["properties"]["items"]["items"])
    assert set(item["properties"]) == set(ledger.TaskEventOut.model_fields)
    assert {"kind_label", "data"} <= set(item["properties"])
    # Every component that names a class of ours has that class's fields.
    for model in _schema_classes():
        if model.__module__.startswith("duban.") and model.__name__ in components and "properties" in components[model.__name__]:
            aliases = {f.alias or n for n, f in model.model_fields.items()}
            assert set(components[model.__name__]["properties"]) == aliases, model.__name__
