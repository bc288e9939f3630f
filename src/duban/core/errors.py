"""Errors raised by services; their messages are shown to users as they are, in the user's language (gettext)."""


class ServiceError(Exception):
    """An action refused because it is not legal now; the message says why and what to do instead."""

    def __init__(self, message: str, *, field: str | None = None):
        message = str(message)  # a lazily translated message is said in the language of the request that raised it
        super().__init__(message)
        self.message = message
        self.field = field


class NotAllowed(ServiceError):
    """The actor's roles or scope do not permit this action."""


class Conflict(ServiceError):
    """Someone else changed the record since it was read (optimistic version check)."""
