"""The relational store: tables, engines, migrations and repositories.

All SQL in apidisco lives in this package. Repositories flush but never
commit; the services own their transactions.
"""
