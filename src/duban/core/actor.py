"""Who is acting: passed to every service instead of loose user/request arguments."""

from __future__ import annotations

import contextvars
import ipaddress
import uuid
from dataclasses import dataclass, field

from django.conf import settings

# Set by RequestIdMiddleware so that work done during a request carries its id into the audit trail.
current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("duban_request_id", default="")


def new_request_id() -> str:
    return uuid.uuid4().hex


@dataclass(frozen=True)
class Actor:
    """The person (or system job) doing something, with the request it came from."""

    user: object | None
    request_id: str = field(default_factory=lambda: current_request_id.get() or new_request_id())
    ip: str = ""
    system_name: str = ""

    @classmethod
    def from_request(cls, request) -> Actor:
        return cls(
            user=request.user if request.user.is_authenticated else None,
            request_id=getattr(request, "request_id", "") or new_request_id(),
            ip=client_ip(request),
        )

    @classmethod
    def system(cls, name: str) -> Actor:
        """A job acting on its own (the sweep, the CLI, a migration), named in the audit trail."""
        return cls(user=None, system_name=name)

    @property
    def name(self) -> str:
        if self.user is not None:
            return f"{self.user.full_name or self.user.username}（{self.user.username}）"
        return self.system_name or "系统"

    @property
    def roles(self) -> frozenset[str]:
        return self.user.roles if self.user is not None else frozenset()


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, or what a proxy named in DUBAN_TRUSTED_PROXIES says it forwarded.

    Served directly (`duban serve` on one machine) anybody can send X-Forwarded-For, so the header is read
    only when the connection comes from a trusted proxy; then the hops are walked from the right and the
    first address that is not itself a trusted proxy is the client (each proxy appends the one it saw).
    """
    remote = request.META.get("REMOTE_ADDR", "")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded and _trusted(remote):
        for hop in reversed([h.strip() for h in forwarded.split(",")]):
            if not _trusted(hop):
                return hop[:45] if _is_address(hop) else remote[:45]
    return remote[:45]


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in settings.DUBAN_TRUSTED_PROXIES)
