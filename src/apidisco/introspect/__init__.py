"""Asking a live GraphQL server for its own schema, by introspection.

:func:`apidisco.introspect.client.fetch_schema` sends graphql-core's standard
introspection query through the SSRF-checked client of
:mod:`apidisco.replay.client` and returns the answer's ``data``. Importing this
package loads no HTTP library; ``apidisco.introspect.client`` does.
"""
