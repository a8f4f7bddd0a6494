"""What a path segment looks like, and the parameter name its parent suggests."""

from __future__ import annotations

import pytest

from apidisco.infer.segments import (
    PARAMETER_KINDS,
    RESERVED_WORDS,
    SegmentKind,
    SegmentShape,
    classify,
    parameter_base,
    singular,
)

K = SegmentKind


@pytest.mark.parametrize(
    ("segment", "kind"),
    [
        ("", K.EMPTY),
        ("42", K.INTEGER),
        ("0", K.INTEGER),
        ("123e4567-e89b-12d3-a456-426614174000", K.UUID),
        ("123E4567-E89B-12D3-A456-426614174000", K.UUID),
        ("2024-01-31", K.DATE),
        ("2024-02-30", K.OTHER),  # not a calendar date
        ("2024-01-31T10:00:00Z", K.DATETIME),
        ("2024-01-31T10:00:00.123+02:00", K.DATETIME),
        ("2024-01-31T10:00", K.DATETIME),
        ("2024-01-31T25:00:00Z", K.OTHER),  # no such hour
        ("alice@example.com", K.EMAIL),
        ("alice%40example.com", K.EMAIL),  # percent-decoded first
        ("v1", K.VERSION),
        ("V3", K.VERSION),
        ("v2beta", K.VERSION),
        ("v1alpha1", K.VERSION),
        ("v1.2", K.VERSION),
        ("1.0", K.VERSION),
        ("2.1.3", K.VERSION),
        ("d41d8cd98f00b204e9800998ecf8427e", K.HASH),  # md5
        ("da39a3ee5e6b4b0d3255bfef95601890afd80709", K.HASH),  # sha1
        ("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", K.HASH),
        ("507f1f77bcf86cd799439011", K.HEX),  # a MongoDB ObjectId
        ("5F2B6C1E9A", K.HEX),
        ("deadbeef", K.WORD),  # hex letters only: a word
        ("01ARZ3NDEKTSV4RRFFQ69G5FAV", K.ULID),
        ("01arz3ndektsv4rrffq69g5fav", K.ULID),
        ("cjld2cjxh0000qzrmn831i7rn", K.CUID),
        ("tz4a98xxat96iws9zmbrgj3a", K.CUID),  # cuid2
        ("me", K.WORD),
        ("search", K.WORD),
        ("Alice", K.WORD),
        ("user-profiles", K.WORD),
        ("api_keys", K.WORD),
        ("oauth2", K.SLUG),
        ("b1", K.SLUG),
        ("iphone-15-pro", K.SLUG),
        ("my-post-2024", K.SLUG),
        ("lodash.4", K.SLUG),
        ("k3j4h5g6f7d8s9a0", K.BASE64ISH),
        ("aGVsbG8gd29ybGQhIQ==", K.BASE64ISH),
        ("V1StGXR8_Z5jdHi6B-myT", K.BASE64ISH),  # a nanoid
        ("openapi.json", K.OTHER),
        ("a b", K.OTHER),
        ("2024-13-45", K.OTHER),
        ("--", K.OTHER),
    ],
)
def test_classify(segment: str, kind: SegmentKind) -> None:
    assert classify(segment).kind is kind


@pytest.mark.parametrize(
    ("segment", "json_type", "json_format"),
    [
        ("42", "integer", None),
        ("007", "string", None),  # zero-padded: the zeros matter
        ("123e4567-e89b-12d3-a456-426614174000", "string", "uuid"),
        ("2024-01-31", "string", "date"),
        ("2024-01-31T10:00:00Z", "string", "date-time"),
        ("bob@example.org", "string", "email"),
        ("507f1f77bcf86cd799439011", "string", None),
        ("me", "string", None),
    ],
)
def test_classify_gives_the_json_schema_type(
    segment: str, json_type: str, json_format: str | None
) -> None:
    shape = classify(segment)
    assert (shape.json_type, shape.json_format) == (json_type, json_format)


def test_identifier_shapes_are_parameters_and_words_are_not() -> None:
    assert classify("42").is_parameter
    assert classify("2024-01-31").is_parameter
    assert not classify("me").is_parameter
    assert not classify("v1").is_parameter
    assert not classify("oauth2").is_parameter
    assert K.VERSION not in PARAMETER_KINDS
    assert {"me", "search", "latest", "new"} <= RESERVED_WORDS


def test_shapes_are_frozen_values() -> None:
    assert classify("42") == SegmentShape(K.INTEGER, "integer", None)
    assert len({classify("1"), classify("2")}) == 1
    with pytest.raises(AttributeError):
        classify("1").kind = K.WORD  # type: ignore[misc]


@pytest.mark.parametrize(
    ("plural", "single"),
    [
        ("users", "user"),
        ("categories", "category"),
        ("Categories", "Category"),
        ("CATEGORIES", "CATEGORY"),
        ("addresses", "address"),
        ("boxes", "box"),
        ("branches", "branch"),
        ("wishes", "wish"),
        ("status", "status"),
        ("campus", "campus"),
        ("analysis", "analysis"),
        ("people", "person"),
        ("People", "Person"),
        ("children", "child"),
        ("statuses", "status"),
        ("movies", "movie"),
        ("series", "series"),
        ("archives", "archive"),
        ("user", "user"),
        ("s", "s"),
        ("ties", "tie"),
    ],
)
def test_singular(plural: str, single: str) -> None:
    assert singular(plural) == single


@pytest.mark.parametrize(
    ("parent", "name"),
    [
        ("users", "userId"),
        ("categories", "categoryId"),
        ("people", "personId"),
        ("api-keys", "apiKeyId"),
        ("api_keys", "apiKeyId"),
        ("userProfiles", "userProfileId"),
        ("Buckets", "bucketId"),
        ("oauth2", "oauth2Id"),
        ("v1", None),
        ("42", None),
        ("openapi.json", None),
        ("", None),
    ],
)
def test_parameter_base(parent: str, name: str | None) -> None:
    assert parameter_base(parent) == name
