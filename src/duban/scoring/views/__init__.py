"""The evaluation pages (board: scores and contests; office: rules, list rules, the contest queue)."""

from django.contrib import messages

from duban.core.errors import ServiceError


def attempt(request, call, success: str) -> None:
    """Call a service; its refusal (in Chinese) or `success` becomes the next page's message."""
    try:
        call()
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
