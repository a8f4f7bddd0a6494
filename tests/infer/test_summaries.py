"""Deterministic summaries, operationIds and tags."""

from __future__ import annotations

import pytest

from apidisco.infer.summaries import name_operation


@pytest.mark.parametrize(
    ("method", "template", "summary", "operation_id", "tag"),
    [
        ("GET", "/users", "List users", "listUsers", "users"),
        ("GET", "/users/{userId}", "Get a user by userId", "getUser", "users"),
        ("POST", "/users", "Create a user", "createUser", "users"),
        ("PUT", "/users/{userId}", "Replace a user by userId", "replaceUser", "users"),
        ("PATCH", "/users/{userId}", "Update a user by userId", "updateUser", "users"),
        ("POST", "/users/{userId}", "Update a user by userId", "updateUser", "users"),
        ("DELETE", "/users/{userId}", "Delete a user by userId", "deleteUser", "users"),
        (
            "POST",
            "/buckets/{bucketId}/collections",
            "Create a collection in a bucket",
            "createBucketCollection",
            "buckets",
        ),
        (
            "GET",
            "/v1/buckets/{bucketId}/collections/{collectionId}",
            "Get a collection by collectionId",
            "getBucketCollection",
            "buckets",
        ),
        ("GET", "/api/orders", "List orders", "listOrders", "orders"),
        ("POST", "/api/kernels/{kernelId}/restart", "Restart a kernel", "restartKernel", "kernels"),
        ("GET", "/users/me", "Get the current user", "getCurrentUser", "users"),
        ("GET", "/api/status", "Get the status", "getStatus", "status"),
        (
            "PUT",
            "/users/{userId}/avatar",
            "Replace the avatar of a user",
            "replaceUserAvatar",
            "users",
        ),
        ("GET", "/", "Get the root", "getRoot", "default"),
        ("GET", "/{param1}", "Get a resource by param1", "getByParam1", "default"),
        ("POST", "/search", "Search", "search", "search"),
        ("GET", "/orders/{orderId}", "Get an order by orderId", "getOrder", "orders"),
        (
            "GET",
            "/order-items/{orderItemId}/addresses",
            "List addresses in an order item",
            "listOrderItemAddresses",
            "order-items",
        ),
    ],
)
def test_names(method: str, template: str, summary: str, operation_id: str, tag: str) -> None:
    names = name_operation(method, template)
    assert (names.summary, names.operation_id, names.tag) == (summary, operation_id, tag)
