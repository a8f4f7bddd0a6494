"""Who a service call is made on behalf of."""

from __future__ import annotations

from dataclasses import dataclass

from apidisco.enums import Role
from apidisco.errors import PermissionDeniedError

__all__ = ["Actor", "require_admin"]


@dataclass(frozen=True)
class Actor:
    """The acting user, as the services see them."""

    id: str
    email: str
    role: Role

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    def may_act_for(self, user_id: str) -> bool:
        """Users act on their own things; admins on everyone's."""
        return self.is_admin or self.id == user_id


def require_admin(actor: Actor, what: str) -> None:
    if not actor.is_admin:
        raise PermissionDeniedError(f"only an admin can {what}")
