"""Pure inference: from captured exchanges to an API model, and from the model to documents.

Frozen dataclasses in, frozen dataclasses or plain data out, in a deterministic
order. Nothing here touches a database, a file, the network, the clock or a
random source; the lint configuration beside this file enforces it and a test
checks that importing this package loads no database, proxy or CLI library.
"""
