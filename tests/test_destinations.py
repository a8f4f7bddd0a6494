"""Destinations: the SSRF rules, checked on what the host resolves to (no network used)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pytest

from apidisco.destinations import CLOUD_METADATA_ADDRESSES, check_destination, parse_destination
from apidisco.errors import ValidationError

HINT = "APIDISCO_ALLOW_PRIVATE_DESTINATIONS"
PUBLIC = "93.184.216.34"


def _resolving_to(*addresses: str) -> Callable[[str, int], Iterable[str]]:
    def resolve(host: str, port: int) -> list[str]:
        return list(addresses)

    return resolve


# -- the form of the URL ----------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        f"ftp://{PUBLIC}/",
        f"file://{PUBLIC}/etc/passwd",
        f"gopher://{PUBLIC}/",
        f"ws://{PUBLIC}/",
        f"{PUBLIC}/path",
        "javascript:alert(1)",
    ],
)
def test_only_http_and_https_are_accepted(url: str) -> None:
    with pytest.raises(ValidationError, match="must start with http:// or https://"):
        check_destination(url)


@pytest.mark.parametrize(
    "url",
    [f"http://user:secret@{PUBLIC}/", f"https://user@{PUBLIC}/", f"http://:secret@{PUBLIC}/"],
)
def test_credentials_in_the_url_are_refused(url: str) -> None:
    with pytest.raises(ValidationError, match="must not carry credentials"):
        check_destination(url)


def test_a_url_without_a_host_is_refused() -> None:
    with pytest.raises(ValidationError, match="has no host"):
        check_destination("http:///path")


def test_a_fragment_is_refused() -> None:
    with pytest.raises(ValidationError, match="must not have a #fragment"):
        check_destination(f"http://{PUBLIC}/page#top")


def test_a_bad_port_is_refused() -> None:
    with pytest.raises(ValidationError, match="is not valid"):
        check_destination(f"http://{PUBLIC}:99999/")


def test_parse_destination_needs_no_resolver() -> None:
    parts = parse_destination("https://api.example.com:8443/v1")
    assert (parts.hostname, parts.port) == ("api.example.com", 8443)


# -- addresses --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1/", "is a loopback address"),
        ("http://127.1.2.3:8080/", "is a loopback address"),
        ("http://[::1]/", "is a loopback address"),
        ("http://localhost/", "is a loopback address"),
        ("http://10.0.0.1/", "is a private or reserved address"),
        ("http://172.16.5.4/", "is a private or reserved address"),
        ("http://192.168.1.1/", "is a private or reserved address"),
        ("http://[fd12:3456::1]/", "is a private or reserved address"),
        ("http://169.254.1.1/", "is a link-local address"),
        ("http://[fe80::1]/", "is a link-local address"),
        ("http://100.64.0.1/", "is a private or reserved address"),
    ],
)
def test_non_public_addresses_are_refused_by_default_with_the_hint(url: str, reason: str) -> None:
    with pytest.raises(ValidationError, match=reason) as caught:
        check_destination(url)
    assert HINT in str(caught.value)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/",
        "http://[::1]/",
        "http://localhost/",
        "http://10.0.0.1/",
        "http://192.168.1.1/",
        "http://169.254.1.1/",
    ],
)
def test_non_public_addresses_are_allowed_when_opted_in(url: str) -> None:
    destination = check_destination(url, allow_private=True)
    assert destination.addresses


@pytest.mark.parametrize("allow_private", [False, True])
@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://169.254.170.2/",
        "http://100.100.100.200/",
        "http://[fd00:ec2::254]/",
        "http://[::ffff:169.254.169.254]/",
    ],
)
def test_cloud_metadata_is_always_refused_without_the_hint(url: str, allow_private: bool) -> None:
    with pytest.raises(ValidationError, match="is a cloud metadata address") as caught:
        check_destination(url, allow_private=allow_private)
    assert HINT not in str(caught.value)


@pytest.mark.parametrize("allow_private", [False, True])
@pytest.mark.parametrize("url", ["http://0.0.0.0/", "http://[::]/", "http://224.0.0.1/"])
def test_non_unicast_addresses_are_always_refused(url: str, allow_private: bool) -> None:
    with pytest.raises(ValidationError, match="is not a unicast address") as caught:
        check_destination(url, allow_private=allow_private)
    assert HINT not in str(caught.value)


def test_ipv4_mapped_ipv6_loopback_is_refused() -> None:
    with pytest.raises(ValidationError, match="is a loopback address"):
        check_destination("http://[::ffff:127.0.0.1]/")


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://[64:ff9b::a9fe:a9fe]/", "is a cloud metadata address"),  # NAT64
        ("http://[64:ff9b::7f00:1]/", "is a loopback address"),  # NAT64
        ("http://[2002:7f00:1::1]/", "is a loopback address"),  # 6to4
    ],
)
def test_ipv4_addresses_inside_ipv6_ones_are_checked_as_ipv4(url: str, reason: str) -> None:
    with pytest.raises(ValidationError, match=reason):
        check_destination(url)


def test_every_resolved_address_must_be_public() -> None:
    resolver = _resolving_to(PUBLIC, "2606:2800:220:1::1", "10.0.0.7")
    with pytest.raises(ValidationError, match="resolves to 10.0.0.7, which is a private") as caught:
        check_destination("https://sneaky.example.com/", resolver=resolver)
    assert HINT in str(caught.value)


def test_a_public_name_pointing_at_metadata_is_refused_even_when_opted_in() -> None:
    resolver = _resolving_to(PUBLIC, "169.254.169.254")
    with pytest.raises(ValidationError, match="cloud metadata"):
        check_destination("https://rebind.example.com/", allow_private=True, resolver=resolver)


def test_a_scoped_link_local_address_is_refused() -> None:
    resolver = _resolving_to("fe80::1%eth0")
    with pytest.raises(ValidationError, match="is a link-local address"):
        check_destination("http://printer.example.com/", resolver=resolver)


def test_a_host_that_does_not_resolve_is_refused() -> None:
    def fail(host: str, port: int) -> list[str]:
        raise OSError(-2, "Name or service not known")

    with pytest.raises(ValidationError, match="cannot resolve the destination host 'nowhere"):
        check_destination("http://nowhere.invalid/", resolver=fail)


def test_a_host_with_no_addresses_is_refused() -> None:
    with pytest.raises(ValidationError, match="has no addresses"):
        check_destination("http://empty.example.com/", resolver=_resolving_to())


def test_the_resolver_is_asked_with_the_port() -> None:
    asked: list[tuple[str, int]] = []

    def resolve(host: str, port: int) -> list[str]:
        asked.append((host, port))
        return [PUBLIC]

    check_destination("https://API.Example.com/", resolver=resolve)
    check_destination("http://api.example.com:8080/", resolver=resolve)
    assert asked == [("api.example.com", 443), ("api.example.com", 8080)]


# -- what a passing check hands back ----------------------------------------------------


def test_a_public_literal_passes() -> None:
    destination = check_destination(f"http://{PUBLIC}/")
    assert destination.url == f"http://{PUBLIC}"
    assert (destination.host, destination.port, destination.addresses) == (PUBLIC, 80, (PUBLIC,))


def test_the_url_is_normalised() -> None:
    destination = check_destination(
        "  HTTPS://API.Example.COM:8443/V1/Items/?q=Yes  ", resolver=_resolving_to(PUBLIC)
    )
    assert destination.url == "https://api.example.com:8443/V1/Items?q=Yes"
    assert destination.host == "api.example.com"
    assert destination.port == 8443


def test_the_metadata_list_holds_the_well_known_addresses() -> None:
    assert {str(a) for a in CLOUD_METADATA_ADDRESSES} >= {"169.254.169.254", "fd00:ec2::254"}
