"""``document_endpoint``: the lifecycle's documentation step, versioned by semver."""

from __future__ import annotations

import pytest
import yaml
from openapi_spec_validator import validate
from sqlmodel import select

from apidisco.enums import EndpointStatus
from apidisco.errors import InvalidTransitionError, ValidationError
from apidisco.services import endpoints
from apidisco.services.actor import Actor
from apidisco.services.documents import document_endpoint
from apidisco.services.inference import TemplateRules
from apidisco.store.database import Database
from apidisco.store.models import Endpoint, EndpointDocumentation
from tests.services.support import set_endpoint
from tests.services.traffic import exchange, shop, store


def _rows(database: Database, endpoint_id: str) -> dict[str, EndpointDocumentation]:
    with database.session() as session:
        rows = session.exec(
            select(EndpointDocumentation).where(EndpointDocumentation.endpoint_id == endpoint_id)
        )
        return {yaml.safe_load(row.open_api_spec or "")["paths"].popitem()[0]: row for row in rows}


def _endpoint(database: Database, endpoint_id: str) -> Endpoint:
    with database.session() as session:
        found = session.get(Endpoint, endpoint_id)
        assert found is not None
        return found


def test_documenting_stores_one_row_per_discovered_endpoint_and_completes(
    database: Database, user: Actor, endpoint_id: str
) -> None:
    store(database, endpoint_id, shop())
    report = document_endpoint(database, user, endpoint_id)
    assert report.status == "COMPLETE"
    assert [(d.pattern, d.version, d.change) for d in report.documents] == [
        ("/users", "1.0.0", "new"),
        ("/users/me", "1.0.0", "new"),
        ("/users/{userId}", "1.0.0", "new"),
    ]
    rows = _rows(database, endpoint_id)
    assert set(rows) == {"/users", "/users/me", "/users/{userId}"}
    item = rows["/users/{userId}"]
    validate(yaml.safe_load(item.open_api_spec or ""))
    assert "Get a user by userId" in item.markdown
    assert item.typescript_types is not None
    assert "export interface" in item.typescript_types
    target = _endpoint(database, endpoint_id)
    assert target.status is EndpointStatus.COMPLETE
    assert target.processed_at is not None


def test_versions_follow_what_changed(database: Database, user: Actor, endpoint_id: str) -> None:
    store(database, endpoint_id, shop())
    document_endpoint(database, user, endpoint_id)
    again = document_endpoint(database, user, endpoint_id)
    assert {d.change for d in again.documents} == {"none"}
    assert {d.version for d in again.documents} == {"1.0.0"}

    store(
        database,
        endpoint_id,
        [exchange(90, "GET", "/users/me", 200, {"id": 1, "name": "me", "bio": "x"})],
    )
    added = {d.pattern: d for d in document_endpoint(database, user, endpoint_id).documents}
    assert (added["/users/me"].change, added["/users/me"].version) == ("minor", "1.1.0")
    assert added["/users"].change == "none"

    store(
        database, endpoint_id, [exchange(91, "GET", "/users/me", 200, {"id": "one", "name": "me"})]
    )
    retyped = {d.pattern: d for d in document_endpoint(database, user, endpoint_id).documents}
    assert (retyped["/users/me"].change, retyped["/users/me"].version) == ("major", "2.0.0")


def test_monitoring_endpoints_go_back_to_monitoring(
    database: Database, user: Actor, endpoint_id: str
) -> None:
    set_endpoint(database, endpoint_id, monitoring_enabled=True)
    store(database, endpoint_id, shop())
    assert document_endpoint(database, user, endpoint_id).status == "MONITORING"


def test_a_failure_returns_the_endpoint_to_where_it_was(
    database: Database, user: Actor, endpoint_id: str
) -> None:
    store(database, endpoint_id, shop())
    endpoints.pause(database, user, endpoint_id)
    with pytest.raises(ValidationError, match="documenting failed; .* is REVIEW again"):
        document_endpoint(database, user, endpoint_id, rules=TemplateRules(pins=("bad{",)))
    assert _endpoint(database, endpoint_id).status is EndpointStatus.REVIEW
    assert _rows(database, endpoint_id) == {}


def test_an_endpoint_that_may_not_be_documented_is_left_alone(
    database: Database, user: Actor, endpoint_id: str
) -> None:
    endpoints.deactivate(database, user, endpoint_id)
    with pytest.raises(InvalidTransitionError):
        document_endpoint(database, user, endpoint_id)
    assert _endpoint(database, endpoint_id).status is EndpointStatus.INACTIVE
