"""CORS configuration folded from responses and preflights."""

from __future__ import annotations

from apidisco.infer.cors import CorsEvidence


def test_responses_and_preflights_fold_into_one_config() -> None:
    evidence = CorsEvidence()
    evidence.add(
        {
            "access-control-allow-origin": "https://app.example",
            "access-control-allow-credentials": "true",
            "access-control-expose-headers": "X-Total, ETag",
            "origin": "https://app.example",
        }
    )
    evidence.add(
        {
            "access-control-allow-origin": "https://admin.example",
            "access-control-allow-methods": "get, POST,DELETE",
            "access-control-allow-headers": "Content-Type, Authorization",
            "access-control-max-age": "600",
            "access-control-request-method": "DELETE",
            "preflight": True,
        }
    )
    assert evidence.config() == {
        "allowOrigins": ["https://admin.example", "https://app.example"],
        "allowMethods": ["DELETE", "GET", "POST"],
        "allowHeaders": ["authorization", "content-type"],
        "exposeHeaders": ["etag", "x-total"],
        "requestOrigins": ["https://app.example"],
        "allowCredentials": True,
        "maxAge": 600,
        "preflight": True,
    }


def test_no_cors_headers_no_config() -> None:
    evidence = CorsEvidence()
    evidence.add(None)
    evidence.add({"origin": "https://app.example"})  # asked, never allowed
    assert evidence.config() is None


def test_merge_and_bounds() -> None:
    first, second = CorsEvidence(), CorsEvidence()
    for n in range(50):
        second.add({"access-control-allow-origin": f"https://{n:02}.example"})
    first.merge(second)
    config = first.config()
    assert config is not None
    assert len(config["allowOrigins"]) == 32
    assert config["preflight"] is False
    assert config["allowCredentials"] is False
