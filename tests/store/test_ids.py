"""Primary keys."""

from __future__ import annotations

import os

from apidisco.store.ids import new_id


def test_ids_are_24_lowercase_alphanumerics_and_unique() -> None:
    ids = [new_id() for _ in range(5000)]
    assert len(set(ids)) == len(ids)
    assert all(len(i) == 24 and i.isalnum() and i == i.lower() for i in ids)
    assert all(i[0].isalpha() for i in ids)


def test_a_forked_child_does_not_repeat_the_parents_ids() -> None:
    new_id()
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        os.close(read)
        os.write(write, " ".join(new_id() for _ in range(50)).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        childs = set(pipe.read().split())
    os.waitpid(child, 0)
    parents = {new_id() for _ in range(50)}
    assert len(childs) == 50
    assert childs.isdisjoint(parents)
