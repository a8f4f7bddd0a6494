"""Where apidisco may send requests: the SSRF rules of DESIGN.md.

A destination URL must be http or https, name a host, and every address that
host resolves to must be a public one. Loopback, private (RFC 1918, unique
local), link-local and shared addresses are refused unless the operator opted
in with ``allow_private_destinations``; cloud metadata addresses, unspecified
and multicast addresses are refused always. The check runs on the *resolved*
addresses, so a public name pointing at 127.0.0.1 is caught too; callers run it
when an endpoint is created, and again when proxying and replaying, because
DNS answers change.

Standard library only, so the store-free layers (the addon, replay) can use it.
"""

from __future__ import annotations

import ipaddress
import socket
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from apidisco.errors import ValidationError

__all__ = ["CLOUD_METADATA_ADDRESSES", "Destination", "check_destination", "parse_destination"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Iterable[str]]

CLOUD_METADATA_ADDRESSES: frozenset[IPAddress] = frozenset(
    ipaddress.ip_address(address)
    for address in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack, DigitalOcean ...
        "169.254.170.2",  # AWS ECS task metadata
        "169.254.169.123",  # AWS time sync
        "100.100.100.200",  # Alibaba Cloud
        "fd00:ec2::254",  # AWS over IPv6
    )
)


@dataclass(frozen=True)
class Destination:
    """A checked destination: the normalised URL and what its host resolved to."""

    url: str
    host: str
    port: int
    addresses: tuple[str, ...]


def parse_destination(url: str) -> urllib.parse.SplitResult:
    """Check the form of a destination URL (no DNS); raise :class:`ValidationError`."""
    text = url.strip()
    try:
        parts = urllib.parse.urlsplit(text)
        parts.port  # noqa: B018 - reading it validates the port
    except ValueError as error:
        raise ValidationError(f"destination URL {text!r} is not valid: {error}") from None
    if parts.scheme not in {"http", "https"}:
        raise ValidationError(f"destination URL {text!r} must start with http:// or https://")
    if not parts.hostname:
        raise ValidationError(f"destination URL {text!r} has no host")
    if parts.username is not None or parts.password is not None:
        raise ValidationError(
            f"destination URL for {parts.hostname} must not carry credentials; "
            "give them to the client, apidisco records them masked"
        )
    if parts.fragment:
        raise ValidationError(f"destination URL {text!r} must not have a #fragment")
    return parts


_PRIVATE_HINT = " (set APIDISCO_ALLOW_PRIVATE_DESTINATIONS=1 to allow it for local development)"


def _system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one stands for (mapped, NAT64, 6to4), if any."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address.sixtofour


def _refusal(address: IPAddress, allow_private: bool) -> str | None:
    """Why ``address`` may not be reached, or ``None`` when it may."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            address = embedded
    if address in CLOUD_METADATA_ADDRESSES:
        return "is a cloud metadata address"
    if address.is_unspecified or address.is_multicast:
        return "is not a unicast address"
    if address.is_global:
        return None
    if allow_private:
        return None
    if address.is_loopback:
        return "is a loopback address"
    if address.is_link_local:
        return "is a link-local address"
    return "is a private or reserved address"


def check_destination(
    url: str, *, allow_private: bool = False, resolver: Resolver = _system_resolver
) -> Destination:
    """Validate ``url`` and every address its host resolves to.

    Raises :class:`ValidationError` naming the first rule broken; the message
    says how to allow private destinations where that is the reason.
    """
    parts = parse_destination(url)
    host = parts.hostname
    assert host is not None
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        addresses = list(resolver(host, port))
    except (OSError, UnicodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise ValidationError(f"cannot resolve the destination host {host!r}: {reason}") from None
    if not addresses:
        raise ValidationError(f"the destination host {host!r} has no addresses")
    for text in addresses:
        address = ipaddress.ip_address(text.split("%", 1)[0])
        reason = _refusal(address, allow_private)
        if reason is not None:
            # Name the opt-in only where it would make a difference.
            liftable = not allow_private and _refusal(address, allow_private=True) is None
            hint = _PRIVATE_HINT if liftable else ""
            raise ValidationError(f"destination {host} resolves to {address}, which {reason}{hint}")
    normalised = urllib.parse.urlunsplit(
        (parts.scheme, parts.netloc.lower(), parts.path.rstrip("/"), parts.query, "")
    )
    return Destination(url=normalised, host=host, port=port, addresses=tuple(addresses))
