"""The header's unread count: one COUNT, run only when a page actually shows it."""

from functools import cache


def inbox(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from duban.notify.services import unread_count

    # A callable: the template calls it where the bell is drawn, once per page (cached).
    return {"inbox_unread": cache(lambda: unread_count(user))}
