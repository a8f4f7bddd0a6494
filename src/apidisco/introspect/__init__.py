"""Asking a live GraphQL server for its own schema, by introspection.

:func:`apidisco.introspect.client.fetch_schema` sends graphql-core's standard
introspection query to a destination the caller checked against the SSRF
rules (:func:`apidisco.destinations.check_destination`) and returns the
answer's ``data``. Importing this package loads no HTTP library;
``apidisco.introspect.client`` does.
"""
