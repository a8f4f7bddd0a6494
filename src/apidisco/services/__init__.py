"""Use cases. Each takes what it acts on explicitly and owns its transaction.

The CLI is a thin shell over these functions; anything the CLI can do, a
Python program can do by calling them.
"""
