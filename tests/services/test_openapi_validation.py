"""OpenAPI validation in a helper process answers as validation here does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from apidisco.errors import ExportError
from apidisco.infer.openapi import ApiDescription, build_openapi
from apidisco.services import exports, openapi_validation
from apidisco.services.openapi_validation import (
    HEAD_START_MAX_INPUT,
    ValidatorProcess,
    head_start,
    openapi_problem,
    start_early,
)

VALID: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "x", "version": "1.0.0"},
    "paths": {"/items": {"get": {"responses": {"200": {"description": "OK"}}}}},
}
BROKEN_SCHEMA = {
    "pattern": "/x",
    "protocol": "https",
    "methods": ["GET"],
    "api_type": "REST",
    "response_schemas": {"GET": {"200": {"application/json": {"type": "no-such-type"}}}},
}


def _invalid() -> dict[str, Any]:
    return build_openapi(ApiDescription("x", "1.0.0", [BROKEN_SCHEMA]))


def test_the_helper_gives_the_same_answers_as_validation_here() -> None:
    documents = [VALID, _invalid(), {**VALID, "paths": {"items": {}}}, {"openapi": "3.1.0"}]
    with ValidatorProcess() as validator:
        verdicts = [validator.submit(document) for document in documents]  # all in flight
        answers = [verdict() for verdict in verdicts]
    assert answers == [openapi_problem(document) for document in documents]
    assert answers[0] is None
    assert all(answer is not None for answer in answers[1:])
    assert "no-such-type" in str(answers[1])


def test_a_document_that_is_not_json_is_checked_here() -> None:
    document = {**VALID, "x-counts": {200: "a key that is not text"}}
    with ValidatorProcess() as validator:
        assert validator.submit(document)() == openapi_problem(document)


def test_a_helper_that_died_is_replaced_by_validation_here() -> None:
    with ValidatorProcess() as validator:
        process = validator._process
        assert process is not None
        process.kill()
        process.wait()
        assert validator.submit(_invalid())() == openapi_problem(_invalid())
        assert validator.submit(VALID)() is None


def test_closing_reaps_the_helper() -> None:
    validator = ValidatorProcess()
    process = validator._process
    assert process is not None
    validator.close()
    assert process.returncode == 0


def test_exports_rendered_beside_the_helper_refuse_an_invalid_document() -> None:
    wanted = [("openapi", "yaml"), ("markdown", "yaml")]
    with ValidatorProcess() as validator:
        with pytest.raises(ExportError, match="would not be valid .*no-such-type"):
            exports.render_openapi_exports(
                ApiDescription("x", "1.0.0", [BROKEN_SCHEMA]), wanted, validator=validator
            )


def test_exports_rendered_beside_the_helper_equal_those_rendered_alone() -> None:
    resource = {**BROKEN_SCHEMA, "response_schemas": {"GET": {"200": {"application/json": {}}}}}
    api = ApiDescription("x", "1.0.0", [resource])
    wanted = [("openapi", "json"), ("markdown", "yaml"), ("typescript", "yaml")]
    with ValidatorProcess() as validator:
        beside = exports.render_openapi_exports(api, wanted, validator=validator)
    assert beside == exports.render_openapi_exports(api, wanted)
    assert beside == [exports.render(kind, api, format=format) for kind, format in wanted]


def test_only_documents_made_from_openapi_are_rendered_together() -> None:
    with pytest.raises(Exception, match="not rendered from the OpenAPI document"):
        exports.render_openapi_exports(ApiDescription("x", "1.0.0", []), [("graphql", "yaml")])


def test_a_head_start_only_for_small_inputs() -> None:
    with head_start(HEAD_START_MAX_INPUT) as validator:
        assert isinstance(validator, ValidatorProcess)
        assert validator.submit(VALID)() is None
    with head_start(HEAD_START_MAX_INPUT + 1) as validator:
        assert validator is None


def test_a_head_start_takes_over_the_helper_started_early() -> None:
    start_early()
    early = openapi_validation._early
    assert early is not None
    start_early()  # one helper, however often it is asked for
    assert openapi_validation._early is early
    with head_start(HEAD_START_MAX_INPUT) as validator:
        assert validator is early
        assert validator.submit(_invalid())() == openapi_problem(_invalid())
    assert openapi_validation._early is None
    with head_start(HEAD_START_MAX_INPUT) as validator:
        assert validator is not early  # taken over once only


def test_a_large_input_stops_the_helper_started_early() -> None:
    start_early()
    early = openapi_validation._early
    assert early is not None
    process = early._process
    assert process is not None
    with head_start(HEAD_START_MAX_INPUT + 1) as validator:
        assert validator is None
        assert process.returncode is not None  # reaped, not left running
    assert openapi_validation._early is None


def test_the_helper_ignores_look_alike_packages_in_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = tmp_path / "apidisco"
    fake.mkdir()
    (fake / "__init__.py").write_text("raise SystemExit(3)\n")
    monkeypatch.chdir(tmp_path)
    with ValidatorProcess() as validator:
        process = validator._process
        assert process is not None
        assert validator.submit(_invalid())() == openapi_problem(_invalid())
        assert process.poll() is None  # the real helper answered and still runs


def test_the_helpers_warm_up_document_is_valid() -> None:
    assert openapi_problem(openapi_validation._WARM_UP) is None


def test_an_end_is_noticed_and_a_hang_is_not_waited_out() -> None:
    import subprocess
    import sys

    quick = subprocess.Popen([sys.executable, "-c", "pass"], stdout=subprocess.PIPE)
    hanging = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(30)"], stdout=subprocess.PIPE
    )
    try:
        assert openapi_validation._ended(quick, timeout=30)
        assert not openapi_validation._ended(hanging, timeout=0.2)
    finally:
        for process in (quick, hanging):
            process.kill()
            process.wait()
            assert process.stdout is not None
            process.stdout.close()
