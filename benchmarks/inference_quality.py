"""How accurately inference recovers real APIs: apidisco and mitmproxy2swagger vs published specs.

Usage: python benchmarks/inference_quality.py [--servers kinto,jupyter] [--markdown]
       [--details [N]] [--seed 7] [--bench-venv /work/benchvenv] [--keep DIR]

Run it with the Python of apidisco's development virtualenv (apidisco, mitmdump, httpx,
PyYAML and mitmproxy's flow reader come from there). The API servers and
mitmproxy2swagger pin other releases, so they live in a virtualenv of their own
(--bench-venv), installed once with:

    python3.11 -m venv /work/benchvenv
    /work/benchvenv/bin/pip install -r benchmarks/quality/requirements.txt

For each server, one after the other, everything on 127.0.0.1 in a scratch folder
(removed afterwards unless --keep names one):

1. The server starts on a free port: Kinto 26.5 (memory backends, accounts and
   history plugins: benchmarks/quality/kinto.ini) or Jupyter Server 2.21 (token
   auth, a scratch root directory, ipykernel kernels and terminals; every Jupyter
   directory points into the scratch folder). Its published spec (Swagger 2.0:
   Kinto's /v1/__api__, Jupyter's /api/spec.yaml) is fetched directly, not through
   the proxy.
2. A fresh SQLite store gets an account and an endpoint whose destination is the
   server, through the apidisco CLI (APIDISCO_DATABASE_URL, APIDISCO_DATA_DIR and
   APIDISCO_CONFIG point into the scratch folder; loopback destinations allowed).
3. mitmdump in reverse mode in front of the server loads the apidisco addon
   (``--set apidisco_endpoint=... --set apidisco_db=...``) and writes the same
   traffic to a flow file (-w).
4. A scripted httpx workload goes through the proxy. Kinto: ten accounts; ten
   buckets with three collections each (ten kinds of records, server-made and
   client-made UUIDs), two groups each; records listed with _limit, _sort, _since
   and _fields, read, patched, deleted; history, permissions, batch, bulk deletes.
   Jupyter: directories, files and notebooks (some nested), read with query
   parameters, renamed, copied, checkpointed; kernels (interrupt, restart),
   sessions, terminals, config sections, kernelspecs, identity. Both include
   400, 401, 403, 404 and 412 answers (a stale If-Match, a group deleted that
   was never there ...). Its choices come from --seed; the ids the servers make
   (UUIDs) differ from run to run, the calls do not. Then mitmdump (Ctrl-C, so
   the addon writes everything) and the server are stopped.
5. `apidisco infer ENDPOINT` runs, and its model is read from the store's
   discovered_endpoints table. mitmproxy2swagger runs its two passes on the flow
   file with the server's origin as prefix and its default parameter regex, every
   path template its first pass suggests accepted (the `ignore:` prefixes removed).
   A tool that fails is reported as unavailable.

Scoring, the same for both tools. An operation is a method and a path template
with parameter names ignored (`GET /v1/buckets/{}/collections/{}`). The reference
is the set of spec operations that at least one captured call matches (a path
matches the spec's most specific template; Jupyter's `{path}` spans segments):
scoring against the whole spec would punish both tools for what the workload never
sent. Operation precision is the share of inferred operations that equal a
reference operation (where the spec has a multi-segment `{path}`, the inferred
segments it stands for must all be parameters; a second inferred operation equal
to the same template counts as spurious); recall is the share of reference
operations that some inferred operation equals.

Response properties are JSON property paths (`data`, `data[].id`; `kernelspecs.*.name`
below a map). For each reference operation a tool found and each 2xx status both
the spec and the tool have, the truth is what the spec documents *and* the captured
JSON responses of that operation and status contain: a declared property that never
occurred cannot be inferred from traffic and is left out; below a node the spec
leaves open (`{}`, `additionalProperties: {}`, an object without properties) every
property that occurred counts. Properties that occurred where the spec's node is
closed (undocumented there) count neither way. An inferred property outside the
truth and not undocumented is a false positive. $refs are resolved; the figures
are micro-averaged over the (operation, status) pairs, whose number is shown.

Prints, per server, the calls captured (flows in the file; rows apidisco stored),
the reference's size, and per tool the operation and response-property precision,
recall and F1; then the goal (apidisco: operation F1 >= 0.95 and property F1 >= 0.90
on each server, and both above mitmproxy2swagger's). --details lists up to N
(default 40) missed and spurious operations per tool, with captured example paths
and the spec operation they belong to, and the missing and extra properties;
--markdown adds the table in Markdown. A run takes about 45 s on 2 cores.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import shlex
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import yaml
from mitmproxy import http as mitmhttp
from mitmproxy import io as mitmio

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
APIDISCO_CLI = str(BIN / "apidisco")
MITMDUMP = str(BIN / "mitmdump")
DEFAULT_BENCH_VENV = Path("/work/benchvenv")
QUIET = ["--set", "termlog_verbosity=error", "--set", "flow_detail=0"]
PASSWORD = "quality-benchmark-1"
APIDISCO, M2S = "apidisco", "mitmproxy2swagger"
TOOLS = (APIDISCO, M2S)
GOAL_OPERATIONS, GOAL_PROPERTIES = 0.95, 0.90
PARAMETER = re.compile(r"\{[^{}]*\}")
HTTP_METHODS = {"GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE"}

JSONValue = Any  # what json.loads returns
Schema = Any  # a JSON Schema: a dict, a bool, or None when absent


# -- processes --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Process:
    """A child process with its own process group (so its children stop with it)."""

    label: str
    popen: subprocess.Popen[bytes]
    log: Path
    stop_signal: signal.Signals = signal.SIGTERM

    @classmethod
    def start(
        cls,
        label: str,
        args: list[str],
        folder: Path,
        environ: dict[str, str],
        stop_signal: signal.Signals = signal.SIGTERM,
    ) -> Process:
        log = folder / f"{label}.log"
        with log.open("wb") as out:
            popen = subprocess.Popen(
                args,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=environ,
                cwd=folder,
                start_new_session=True,
            )
        return cls(label, popen, log, stop_signal)

    def alive(self) -> bool:
        return self.popen.poll() is None

    def output(self, tail: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-tail:]

    def stop(self, timeout: float = 30) -> None:
        """The stop signal to the whole group; then SIGKILL to whatever of it is left.

        Children that moved to groups of their own (Jupyter's kernels) count too."""
        children = descendants(self.popen.pid)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, self.stop_signal)
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            print(f"{self.label} did not stop within {timeout}s: killed")
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(10)
        for pid, started in children.items():
            kill_if_same(pid, started)


def _stat(pid: int) -> list[str]:
    """/proc/<pid>/stat after the command name: state, ppid, ... (Linux)."""
    return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()


def descendants(root: int) -> dict[int, str]:
    """The processes below ``root``: pid → start time (none where /proc is missing)."""
    found: dict[int, tuple[int, str]] = {}  # pid → (parent, start time)
    with contextlib.suppress(OSError):
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                with contextlib.suppress(OSError, IndexError, ValueError):
                    fields = _stat(int(entry.name))
                    found[int(entry.name)] = (int(fields[1]), fields[19])
    below: dict[int, str] = {}
    frontier = [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, (ppid, _) in found.items() if ppid == parent]
        below.update((pid, found[pid][1]) for pid in children)
        frontier += children
    return below


def kill_if_same(pid: int, started: str) -> None:
    """SIGKILL ``pid`` unless it has exited (or the pid now names another process)."""
    with contextlib.suppress(OSError, IndexError):
        if _stat(pid)[19] == started:
            os.kill(pid, signal.SIGKILL)


def wait_until(ready: Callable[[], bool], process: Process, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        if not process.alive():
            raise RuntimeError(f"{process.label} exited:\n{process.output()}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{process.label} not ready in {timeout}s:\n{process.output()}")
        time.sleep(0.1)


def port_open(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        return True
    except OSError:
        return False


def http_ok(url: str, headers: dict[str, str]) -> bool:
    try:
        return httpx.get(url, headers=headers, timeout=2, trust_env=False).status_code == 200
    except httpx.HTTPError:
        return False


# -- the servers ------------------------------------------------------------------------


Workload = Callable[[httpx.Client, random.Random], None]


@dataclass(frozen=True)
class Server:
    """An API server to run, how to drive it, and where its published spec is."""

    name: str
    command: Callable[[Path, int, Path], list[str]]  # bench venv bin, port, scratch folder
    environ: Callable[[Path], dict[str, str]]  # scratch folder → extra variables
    headers: dict[str, str]  # sent with every request
    ready_path: str
    spec_path: str
    version_path: str
    version_key: str
    workload: Workload
    multi_segment: frozenset[str] = frozenset()  # spec path parameters spanning segments


def uuid_from(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def words(rng: random.Random, count: int) -> str:
    vocabulary = (
        "alpha beta river stone cloud maple orbit pixel quartz ember lunar delta echo "
        "harbor meadow signal copper velvet summit canyon"
    ).split()
    return " ".join(rng.choice(vocabulary) for _ in range(count))


# Kinto: buckets hold collections (of records) and groups; accounts authenticate.

KINTO_USERS = ["admin", "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan"]
KINTO_BUCKETS = [
    "blog", "shop", "wiki", "notes", "recipes", "travel", "music", "library", "garden", "fitness",
]  # fmt: skip
KINTO_GROUPS = [
    "editors", "readers", "admins", "reviewers", "authors", "guests", "staff", "team",
    "moderators", "owners", "translators", "testers",
]  # fmt: skip


def _kinto_article(rng: random.Random) -> dict[str, Any]:
    return {
        "title": words(rng, 3),
        "body": words(rng, 12),
        "tags": [words(rng, 1) for _ in range(rng.randint(0, 3))],
        "published": rng.random() < 0.5,
        "views": rng.randint(0, 5000),
    }


def _kinto_comment(rng: random.Random) -> dict[str, Any]:
    return {"author": words(rng, 1), "text": words(rng, 8), "rating": rng.randint(1, 5)}


def _kinto_product(rng: random.Random) -> dict[str, Any]:
    return {
        "name": words(rng, 2),
        "price": round(rng.uniform(1, 500), 2),
        "stock": rng.randint(0, 90),
        "categories": [words(rng, 1) for _ in range(rng.randint(1, 3))],
    }


def _kinto_task(rng: random.Random) -> dict[str, Any]:
    return {
        "title": words(rng, 4),
        "done": rng.random() < 0.3,
        "due": f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        "priority": rng.randint(1, 4),
    }


def _kinto_event(rng: random.Random) -> dict[str, Any]:
    return {
        "name": words(rng, 2),
        "starts_at": f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T18:30:00Z",
        "location": {"city": words(rng, 1), "country": rng.choice(["FR", "DE", "US", "JP"])},
    }


def _kinto_order(rng: random.Random) -> dict[str, Any]:
    lines = [{"sku": f"SKU-{rng.randint(100, 999)}", "qty": rng.randint(1, 4)} for _ in range(2)]
    return {"customer": words(rng, 2), "lines": lines, "total": round(rng.uniform(5, 900), 2)}


def _kinto_contact(rng: random.Random) -> dict[str, Any]:
    name = words(rng, 1)
    return {"name": name, "email": f"{name}{rng.randint(1, 99)}@example.org", "phone": None}


def _kinto_photo(rng: random.Random) -> dict[str, Any]:
    return {
        "url": f"https://img.example.org/{rng.randint(1000, 9999)}.jpg",
        "width": rng.choice([640, 1024, 2048]),
        "height": rng.choice([480, 768, 1536]),
        "exif": {"camera": words(rng, 1), "iso": rng.choice([100, 200, 400])},
    }


def _kinto_note(rng: random.Random) -> dict[str, Any]:
    return {
        "text": words(rng, 15),
        "pinned": rng.random() < 0.2,
        "color": rng.choice(["red", "blue"]),
    }


def _kinto_bookmark(rng: random.Random) -> dict[str, Any]:
    tags = [words(rng, 1) for _ in range(rng.randint(0, 2))]
    return {"url": f"https://example.org/{words(rng, 1)}", "title": words(rng, 3), "tags": tags}


KINTO_COLLECTIONS: dict[str, Callable[[random.Random], dict[str, Any]]] = {
    "articles": _kinto_article,
    "comments": _kinto_comment,
    "products": _kinto_product,
    "tasks": _kinto_task,
    "events": _kinto_event,
    "orders": _kinto_order,
    "contacts": _kinto_contact,
    "photos": _kinto_photo,
    "notes": _kinto_note,
    "bookmarks": _kinto_bookmark,
}


def kinto_command(bench: Path, port: int, folder: Path) -> list[str]:
    ini = HERE / "quality" / "kinto.ini"
    return [str(bench / "kinto"), "start", "--ini", str(ini), "--port", str(port)]


def _kinto_accounts(client: httpx.Client) -> dict[str, tuple[str, str]]:
    """Creates the accounts (PUT and POST) and exercises the account resource; the logins."""
    logins = {name: (name, f"{PASSWORD}-{name}") for name in KINTO_USERS}
    for name in KINTO_USERS[:-1]:
        client.put(f"/v1/accounts/{name}", json={"data": {"password": logins[name][1]}})
    last = KINTO_USERS[-1]
    client.post("/v1/accounts", json={"data": {"id": last, "password": logins[last][1]}})
    client.get("/v1/accounts", auth=logins["admin"])
    for name in KINTO_USERS[1:]:
        client.get(f"/v1/accounts/{name}", auth=logins[name])
    client.patch("/v1/accounts/alice", json={"data": {"password": logins["alice"][1]}},
                 auth=logins["alice"])  # fmt: skip
    client.get("/v1/accounts/bob", auth=logins["alice"])  # 403: not alice's
    client.get("/v1/accounts/nobody", auth=logins["admin"])  # 404
    client.put("/v1/accounts/broken", json={"data": {}})  # 400: no password
    client.delete(f"/v1/accounts/{last}", auth=logins[last])
    return logins


def _kinto_records(
    client: httpx.Client, rng: random.Random, base: str, kind: str, auth: tuple[str, str]
) -> None:
    make = KINTO_COLLECTIONS[kind]
    created: list[str] = []
    for _ in range(rng.randint(4, 7)):
        answer = client.post(f"{base}/records", json={"data": make(rng)}, auth=auth)
        created.append(answer.json()["data"]["id"])
    for _ in range(2):  # client-side ids, as sync clients do
        record = uuid_from(rng)
        client.put(f"{base}/records/{record}", json={"data": make(rng)}, auth=auth)
        created.append(record)
    client.get(f"{base}/records", auth=auth)
    client.get(f"{base}/records", params={"_limit": 3, "_sort": "-last_modified"}, auth=auth)
    client.get(f"{base}/records", params={"_since": 0, "_fields": "id"}, auth=auth)
    for record in rng.sample(created, 3):
        client.get(f"{base}/records/{record}", auth=auth)
    target = created[0]
    client.patch(f"{base}/records/{target}", json={"data": {"reviewed": True}}, auth=auth)
    client.put(
        f"{base}/records/{target}",
        json={"data": make(rng)},
        headers={"If-Match": '"1"'},
        auth=auth,
    )  # 412: stale
    client.post(f"{base}/records", json={"data": "not an object"}, auth=auth)  # 400
    client.delete(f"{base}/records/{created[-1]}", auth=auth)
    client.get(f"{base}/records/{created[-1]}", auth=auth)  # 404: deleted


def _kinto_bucket(
    client: httpx.Client, rng: random.Random, bucket: str, auth: tuple[str, str]
) -> tuple[list[str], list[str]]:
    """A bucket with three collections of records and two groups; their names."""
    client.put(f"/v1/buckets/{bucket}", json={"data": {"title": bucket.title()}}, auth=auth)
    client.get(f"/v1/buckets/{bucket}", auth=auth)
    client.patch(f"/v1/buckets/{bucket}", json={"data": {"owner": auth[0]}}, auth=auth)
    kinds = rng.sample(sorted(KINTO_COLLECTIONS), 3)
    for kind in kinds:
        base = f"/v1/buckets/{bucket}/collections/{kind}"
        client.put(base, json={"data": {"displayFields": ["id"]}}, auth=auth)
        client.get(base, auth=auth)
        client.patch(base, json={"data": {"sort": "-last_modified"}}, auth=auth)
        _kinto_records(client, rng, base, kind, auth)
    client.post(f"/v1/buckets/{bucket}/collections", json={"data": {}}, auth=auth)
    client.get(f"/v1/buckets/{bucket}/collections", auth=auth)
    client.get(f"/v1/buckets/{bucket}/collections/missing", auth=auth)  # 404
    groups = rng.sample(KINTO_GROUPS, 2)
    for group in groups:
        members = [f"account:{name}" for name in rng.sample(KINTO_USERS, 2)]
        path = f"/v1/buckets/{bucket}/groups/{group}"
        client.put(path, json={"data": {"members": members}}, auth=auth)
        client.get(path, auth=auth)
        client.patch(path, json={"data": {"members": members[:1]}}, auth=auth)
    client.post(f"/v1/buckets/{bucket}/groups", json={"data": {"members": []}}, auth=auth)
    client.get(f"/v1/buckets/{bucket}/groups", auth=auth)
    client.get(f"/v1/buckets/{bucket}/history", params={"_limit": 10}, auth=auth)
    return kinds, groups


def kinto_workload(client: httpx.Client, rng: random.Random) -> None:
    for path in ("/v1/", "/v1/__heartbeat__", "/v1/__lbheartbeat__", "/v1/contribute.json"):
        client.get(path)
    logins = _kinto_accounts(client)
    owners = [logins[name] for name in ("alice", "bob", "carol", "dave", "erin")]
    made: dict[str, tuple[list[str], list[str]]] = {}
    for index, bucket in enumerate(KINTO_BUCKETS):
        made[bucket] = _kinto_bucket(client, rng, bucket, owners[index % len(owners)])
    alice, bob = logins["alice"], logins["bob"]
    client.post("/v1/buckets", json={"data": {"title": "scratch"}}, auth=alice)
    client.get("/v1/buckets", auth=alice)
    client.get("/v1/buckets", params={"_limit": 2, "_sort": "id"}, auth=bob)
    client.get("/v1/buckets/blog")  # 401: anonymous
    client.get("/v1/buckets/blog/collections", auth=bob)  # 403: alice's
    client.get("/v1/permissions", auth=alice)
    client.get("/v1/permissions", params={"resource_name": "record"}, auth=bob)
    batch = [
        {"method": "GET", "path": "/buckets/blog"},
        {"method": "PATCH", "path": "/buckets/blog", "body": {"data": {"batched": True}}},
        {"method": "GET", "path": "/buckets/blog/collections"},
    ]
    client.post("/v1/batch", json={"requests": batch}, auth=alice)
    shop, (kinds, groups) = KINTO_BUCKETS[1], made[KINTO_BUCKETS[1]]
    client.delete(f"/v1/buckets/{shop}/collections/{kinds[0]}", auth=bob)
    client.delete(f"/v1/buckets/{shop}/groups/{groups[0]}", auth=bob)
    stale = next(group for group in KINTO_GROUPS if group not in groups)
    client.delete(f"/v1/buckets/{shop}/groups/{stale}", auth=bob)  # 404: never there
    client.delete("/v1/buckets/blog/groups", auth=alice)
    client.delete(f"/v1/buckets/{KINTO_BUCKETS[5]}/collections", auth=alice)
    client.delete(f"/v1/buckets/{KINTO_BUCKETS[5]}/history", auth=alice)
    client.delete(f"/v1/buckets/{KINTO_BUCKETS[2]}", auth=logins["carol"])
    client.delete("/v1/buckets", auth=logins["erin"])
    client.delete("/v1/accounts/heidi", auth=logins["admin"])


# Jupyter Server: contents (a tree of files), kernels, sessions, terminals, config.

JUPYTER_TOKEN = "quality-benchmark-token"
JUPYTER_DIRECTORIES = ["projects", "projects/alpha", "projects/beta", "data", "scratch"]
JUPYTER_NOTEBOOKS = [
    "analysis", "cleaning", "plots", "model", "report", "explore", "forecast", "survey",
    "timeseries", "clustering",
]  # fmt: skip
JUPYTER_FILES = [
    "README.md", "notes.txt", "data.csv", "setup.py", "config.json", "todo.md", "LICENSE",
    "query.sql", "style.css", "run.sh", "requirements.txt", "changelog.md",
]  # fmt: skip
JUPYTER_SECTIONS = [
    "notebook", "tree", "common", "terminal", "console", "editor", "lab", "help", "server",
]  # fmt: skip


def jupyter_command(bench: Path, port: int, folder: Path) -> list[str]:
    root = folder / "jupyter-root"
    root.mkdir(exist_ok=True)
    return [
        str(bench / "jupyter-server"),
        "--allow-root",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={root}",
        f"--IdentityProvider.token={JUPYTER_TOKEN}",
        "--ServerApp.disable_check_xsrf=True",
        "--ServerApp.log_level=WARN",
    ]


def jupyter_environ(folder: Path) -> dict[str, str]:
    """Every Jupyter directory inside the scratch folder: the user's own stay untouched."""
    return {
        "JUPYTER_CONFIG_DIR": str(folder / "jupyter" / "config"),
        "JUPYTER_DATA_DIR": str(folder / "jupyter" / "data"),
        "JUPYTER_RUNTIME_DIR": str(folder / "jupyter" / "runtime"),
        "IPYTHONDIR": str(folder / "jupyter" / "ipython"),
        "JUPYTER_PLATFORM_DIRS": "1",
    }


def _notebook(rng: random.Random) -> dict[str, Any]:
    cells = [
        {"cell_type": "code", "source": f"x = {rng.randint(1, 99)}", "metadata": {},
         "outputs": [], "execution_count": None},
        {"cell_type": "markdown", "source": f"# {words(rng, 2)}", "metadata": {}},
    ]  # fmt: skip
    return {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def _jupyter_put(client: httpx.Client, rng: random.Random, path: str) -> None:
    if path.endswith(".ipynb"):
        model = {"type": "notebook", "content": _notebook(rng)}
    else:
        model = {"type": "file", "format": "text", "content": words(rng, 10)}
    client.put(f"/api/contents/{path}", json=model)


def _jupyter_contents(client: httpx.Client, rng: random.Random) -> list[str]:
    """Directories, files and notebooks, read, renamed, copied, checkpointed, deleted."""
    for directory in JUPYTER_DIRECTORIES:
        client.put(f"/api/contents/{directory}", json={"type": "directory"})
    paths = [f"{name}.ipynb" for name in JUPYTER_NOTEBOOKS] + list(JUPYTER_FILES)
    paths += [f"{rng.choice(JUPYTER_DIRECTORIES)}/{name}" for name in rng.sample(paths, 8)]
    for path in paths:
        _jupyter_put(client, rng, path)
    for path in paths:
        client.get(f"/api/contents/{path}", params={"content": rng.choice([0, 1])})
    for path in rng.sample(JUPYTER_FILES, 4):
        client.get(f"/api/contents/{path}", params={"type": "file", "format": "text", "hash": 1})
    for path in rng.sample(paths[: len(JUPYTER_NOTEBOOKS)], 3):
        _jupyter_put(client, rng, path)  # saved again: 200
    for directory in JUPYTER_DIRECTORIES:
        client.get(f"/api/contents/{directory}")
    client.get("/api/contents/missing.ipynb")  # 404
    client.put("/api/contents/draft.txt", json={"type": "file"})  # written, never read
    client.patch("/api/contents/notes.txt")  # 400: no body
    client.patch("/api/contents/todo.md", json={"path": "scratch/todo.md"})
    client.patch("/api/contents/model.ipynb", json={"path": "projects/model.ipynb"})
    client.post("/api/contents/scratch", json={"copy_from": "notes.txt"})
    client.post("/api/contents/projects", json={"type": "file", "ext": ".py"})
    client.post("/api/contents/data", json={"type": "notebook"})
    client.get("/api/resolvePath", params={"path": "data.csv"})
    for path in rng.sample([p for p in paths if p not in ("todo.md", "model.ipynb")], 4):
        _jupyter_checkpoints(client, path)
    for path in ("run.sh", "style.css", "projects/alpha"):
        client.delete(f"/api/contents/{path}")
    return paths


def _jupyter_checkpoints(client: httpx.Client, path: str) -> None:
    base = f"/api/contents/{path}/checkpoints"
    checkpoint = client.post(base).json()["id"]
    client.get(base)
    client.post(f"{base}/{checkpoint}")  # restore
    client.delete(f"{base}/{checkpoint}")
    client.get("/api/contents/missing.txt/checkpoints")  # 404


def _jupyter_kernels(client: httpx.Client) -> None:
    kernels = [client.post("/api/kernels", json={"name": "python3"}).json()["id"] for _ in "ab"]
    client.get("/api/kernels")
    for kernel in kernels:
        client.get(f"/api/kernels/{kernel}")
    client.post(f"/api/kernels/{kernels[0]}/interrupt")
    client.post(f"/api/kernels/{kernels[1]}/restart")
    for kernel in kernels:
        client.delete(f"/api/kernels/{kernel}")
    client.get(f"/api/kernels/{kernels[0]}")  # 404: gone
    client.post("/api/kernels", json={"name": "no-such-kernel"})  # 404/500


def _jupyter_sessions(client: httpx.Client) -> None:
    sessions = []
    for name in ("analysis", "plots"):
        body = {"path": f"{name}.ipynb", "type": "notebook", "name": name,
                "kernel": {"name": "python3"}}  # fmt: skip
        sessions.append(client.post("/api/sessions", json=body).json())
    client.get("/api/sessions")
    for session in sessions:
        client.get(f"/api/sessions/{session['id']}")
    client.patch(f"/api/sessions/{sessions[0]['id']}", json={"path": "renamed.ipynb"})
    for session in sessions:
        client.delete(f"/api/sessions/{session['id']}")
    client.get(f"/api/sessions/{sessions[0]['id']}")  # 404: gone


def _jupyter_terminals(client: httpx.Client) -> None:
    names = [client.post("/api/terminals").json()["name"] for _ in range(3)]
    client.get("/api/terminals")
    for name in names:
        client.get(f"/api/terminals/{name}")
    for name in names:
        client.delete(f"/api/terminals/{name}")
    client.get("/api/terminals/999")  # 404


def jupyter_workload(client: httpx.Client, rng: random.Random) -> None:
    for path in ("/api", "/api/status", "/api/me", "/api/kernelspecs", "/api/spec.yaml"):
        client.get(path)
    client.get("/api/me", params={"permissions": json.dumps({"contents": ["read", "write"]})})
    with httpx.Client(base_url=client.base_url, trust_env=False) as stranger:  # no cookies
        stranger.get("/api/sessions", headers={"Authorization": "token wrong"})  # 403
    for section in JUPYTER_SECTIONS:
        client.get(f"/api/config/{section}")
        client.patch(f"/api/config/{section}", json={"theme": rng.choice(["light", "dark"])})
    _jupyter_contents(client, rng)
    _jupyter_kernels(client)
    _jupyter_sessions(client)
    _jupyter_terminals(client)
    client.get("/api/status")


SERVERS = {
    "kinto": Server(
        name="kinto",
        command=kinto_command,
        environ=lambda folder: {},
        headers={"Accept": "application/json"},
        ready_path="/v1/__lbheartbeat__",
        spec_path="/v1/__api__",
        version_path="/v1/",
        version_key="project_version",
        workload=kinto_workload,
    ),
    "jupyter": Server(
        name="jupyter",
        command=jupyter_command,
        environ=jupyter_environ,
        headers={"Authorization": f"token {JUPYTER_TOKEN}"},
        ready_path="/api/status",
        spec_path="/api/spec.yaml",
        version_path="/api",
        version_key="version",
        workload=jupyter_workload,
        multi_segment=frozenset({"path"}),
    ),
}


# -- capture ----------------------------------------------------------------------------


def base_environment(folder: Path) -> dict[str, str]:
    """Children's environment: no proxies, no apidisco settings of this machine."""
    environ = {
        name: value
        for name, value in os.environ.items()
        if not name.lower().endswith("_proxy")
        and not name.startswith("APIDISCO_")
        and name not in {"DATABASE_URL", "DATA_RETENTION_DAYS"}
    }
    environ.update(
        APIDISCO_CONFIG=str(folder / "apidisco" / "config.toml"),
        APIDISCO_DATA_DIR=str(folder / "apidisco" / "data"),
        APIDISCO_DATABASE_URL=f"sqlite:///{folder / 'apidisco' / 'apidisco.db'}",
        APIDISCO_ALLOW_PRIVATE_DESTINATIONS="true",
        APIDISCO_PASSWORD_ROUNDS="4",
        PYTHONUNBUFFERED="1",
    )
    return environ


def apidisco_cli(environ: dict[str, str], *args: str, stdin: str = "") -> str:
    done = subprocess.run(
        [APIDISCO_CLI, *args], input=stdin, capture_output=True, text=True, env=environ, timeout=600
    )
    if done.returncode != 0:
        raise RuntimeError(f"apidisco {shlex.join(args)}: exit {done.returncode}\n{done.stderr}")
    return done.stdout


def prepare_store(environ: dict[str, str], destination: str, name: str) -> str:
    """Schema, an account (logged in) and an endpoint for ``destination``; its id."""
    Path(environ["APIDISCO_CONFIG"]).parent.mkdir(parents=True, exist_ok=True)
    apidisco_cli(environ, "db", "upgrade")
    email = f"{name}@example.com"
    apidisco_cli(environ, "account", "signup", "--email", email, "--password-stdin", stdin=PASSWORD)
    apidisco_cli(environ, "account", "login", "--email", email, "--password-stdin", stdin=PASSWORD)
    created = apidisco_cli(environ, "--json", "endpoint", "create", destination, "--name", name)
    return str(json.loads(created)["id"])


def start_recording_proxy(
    stack: contextlib.ExitStack,
    folder: Path,
    environ: dict[str, str],
    upstream: str,
    endpoint_id: str,
    flows: Path,
) -> int:
    """mitmdump in reverse mode with the addon, writing ``flows`` too; its port.

    Stopped with Ctrl-C when ``stack`` closes, so the addon writes what it holds."""
    addon = apidisco_cli(environ, "addon", "path").strip()
    port = free_port()
    args = [MITMDUMP, "--mode", f"reverse:{upstream}", "--listen-host", "127.0.0.1"]
    args += ["-p", str(port), "--set", f"confdir={folder / 'mitmproxy'}", *QUIET]
    args += ["-s", addon, "--set", f"apidisco_endpoint={endpoint_id}"]
    args += ["--set", f"apidisco_db={environ['APIDISCO_DATABASE_URL']}", "-w", str(flows)]
    proxy = Process.start("mitmdump", args, folder, environ, stop_signal=signal.SIGINT)
    stack.callback(proxy.stop, 120)
    wait_until(lambda: port_open(port), proxy)
    return port


@dataclass(frozen=True)
class Call:
    """One captured exchange, read back from the flow file."""

    method: str
    path: str  # without the query
    status: int
    body: JSONValue
    is_json: bool


def read_flows(flows: Path) -> list[Call]:
    calls: list[Call] = []
    with flows.open("rb") as stream:
        for flow in mitmio.FlowReader(stream).stream():
            if not isinstance(flow, mitmhttp.HTTPFlow) or flow.response is None:
                continue
            body, is_json = None, False
            if "json" in flow.response.headers.get("content-type", ""):
                with contextlib.suppress(ValueError):
                    body, is_json = json.loads(flow.response.get_content() or b""), True
            path = urlsplit(flow.request.path).path
            calls.append(Call(flow.request.method, path, flow.response.status_code, body, is_json))
    return calls


# -- the tools' models ------------------------------------------------------------------


@dataclass(frozen=True)
class InferredOperation:
    method: str
    template: str  # the full path, as the tool wrote it
    responses: dict[str, Schema]  # status → JSON response schema (None: no JSON body)


def json_schema_of(media: Any) -> Schema:
    """The schema of the JSON media type in a {media type: schema-or-object} map."""
    if not isinstance(media, dict):
        return None
    for media_type, value in media.items():
        if "json" in media_type:
            if isinstance(value, dict) and "schema" in value:
                return value["schema"]
            return value
    return None


def read_apidisco(database: Path, endpoint_id: str) -> list[InferredOperation]:
    query = (
        'SELECT pattern, methods, protocol, "responseSchemas" FROM discovered_endpoints '
        'WHERE "endpointId" = ? ORDER BY pattern'
    )
    with contextlib.closing(sqlite3.connect(database)) as connection:
        rows = connection.execute(query, (endpoint_id,)).fetchall()
    found: list[InferredOperation] = []
    for pattern, methods, protocol, schemas in rows:
        if str(protocol).lower() not in {"http", "https"}:
            continue
        by_method = json.loads(schemas) if schemas else {}
        for method in json.loads(methods) if isinstance(methods, str) else methods or []:
            statuses = by_method.get(method) or {}
            responses = {str(s): json_schema_of(media) for s, media in statuses.items()}
            found.append(InferredOperation(method.upper(), pattern, responses))
    return found


def stored_calls(database: Path, endpoint_id: str) -> int:
    with contextlib.closing(sqlite3.connect(database)) as connection:
        query = 'SELECT count(*) FROM api_calls WHERE "endpointId" = ?'
        return int(connection.execute(query, (endpoint_id,)).fetchone()[0])


def run_apidisco_infer(environ: dict[str, str], endpoint_id: str) -> str | None:
    """Runs ``apidisco infer``; None when it worked, else why not."""
    try:
        apidisco_cli(environ, "infer", "--help")
    except RuntimeError:
        return "`apidisco infer` is not available in this apidisco"
    try:
        apidisco_cli(environ, "infer", endpoint_id)
    except (RuntimeError, subprocess.TimeoutExpired) as error:
        return str(error).strip().splitlines()[-1][:300]
    return None


def run_mitmproxy2swagger(bench: Path, flows: Path, prefix: str, output: Path) -> None:
    """The two passes, accepting every suggested path template in between."""
    command = [str(bench / "mitmproxy2swagger"), "-i", str(flows), "-o", str(output)]
    command += ["-p", prefix, "-f", "flow"]
    subprocess.run(command, check=True, capture_output=True, cwd=output.parent, timeout=300)
    text = output.read_text()
    output.write_text(re.sub(r"^(\s*-\s*)ignore:", r"\1", text, flags=re.MULTILINE))
    subprocess.run(command, check=True, capture_output=True, cwd=output.parent, timeout=300)


def read_openapi_operations(document: dict[str, Any]) -> list[InferredOperation]:
    """Operations of an OpenAPI 3 document (mitmproxy2swagger's), full paths."""
    servers = document.get("servers") or [{"url": ""}]
    prefix = urlsplit(servers[0]["url"]).path.rstrip("/")
    found: list[InferredOperation] = []
    for path, item in (document.get("paths") or {}).items():
        for method, operation in item.items():
            if method.upper() not in HTTP_METHODS:
                continue
            responses = {
                str(status): json_schema_of(response.get("content"))
                for status, response in (operation.get("responses") or {}).items()
            }
            found.append(InferredOperation(method.upper(), prefix + path, responses))
    return found


# -- the published spec -----------------------------------------------------------------


@dataclass(frozen=True)
class SpecOperation:
    method: str
    template: str  # the full path: basePath (or the server URL's path) + the spec path
    responses: dict[str, Schema]


@dataclass
class Spec:
    document: dict[str, Any]
    operations: list[SpecOperation]

    def resolve(self, schema: Schema) -> Schema:
        """Follows local $refs (a few levels; cycles stop there)."""
        for _ in range(16):
            if not (isinstance(schema, dict) and isinstance(schema.get("$ref"), str)):
                return schema
            target: Any = self.document
            for part in schema["$ref"].removeprefix("#/").split("/"):
                target = target.get(part.replace("~1", "/").replace("~0", "~"), {})
            schema = target
        return {}


def load_spec(text: str) -> Spec:
    document = yaml.safe_load(text)
    if "swagger" in document:
        prefix = (document.get("basePath") or "").rstrip("/")
    else:
        servers = document.get("servers") or [{"url": ""}]
        prefix = urlsplit(servers[0]["url"]).path.rstrip("/")
    operations = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method.upper() not in HTTP_METHODS:
                continue
            responses: dict[str, Schema] = {}
            for status, response in (operation.get("responses") or {}).items():
                if "content" in response:  # OpenAPI 3
                    responses[str(status)] = json_schema_of(response["content"])
                else:
                    responses[str(status)] = response.get("schema")
            operations.append(SpecOperation(method.upper(), prefix + path, responses))
    return Spec(document, operations)


# -- operations -------------------------------------------------------------------------


def normalize(template: str) -> str:
    """Parameter names dropped, no trailing slash: /v1/buckets/{id}/ → /v1/buckets/{}."""
    return PARAMETER.sub("{}", template.rstrip("/") or "/")


def _segments(template: str) -> list[str]:
    return [segment for segment in template.strip("/").split("/") if segment]


def _pattern(template: str, multi: frozenset[str], concrete: bool) -> re.Pattern[str]:
    """A regex for paths (``concrete``) or normalized templates that ``template`` stands for."""
    one = "[^/]+" if concrete else r"\{\}"
    parts = []
    for segment in _segments(template):
        name = segment[1:-1] if PARAMETER.fullmatch(segment) else None
        if name is not None and name in multi:
            parts.append(f"{one}(?:/{one})*")
        else:
            pieces = PARAMETER.split(segment)
            parts.append(one.join(re.escape(piece) for piece in pieces))
    return re.compile("^/" + "/".join(parts) + "$")


@dataclass
class Matcher:
    """Maps captured paths and inferred templates onto the spec's operations."""

    spec: Spec
    multi: frozenset[str]
    _paths: list[tuple[SpecOperation, re.Pattern[str]]] = field(default_factory=list)
    _templates: list[tuple[SpecOperation, re.Pattern[str]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        def specificity(operation: SpecOperation) -> tuple[int, int]:
            segments = _segments(operation.template)
            literal = sum(1 for s in segments if not PARAMETER.search(s))
            spanning = sum(1 for s in segments if s[1:-1] in self.multi)
            return (-literal, spanning)

        ordered = sorted(self.spec.operations, key=specificity)
        self._paths = [(op, _pattern(op.template, self.multi, True)) for op in ordered]
        self._templates = [(op, _pattern(op.template, self.multi, False)) for op in ordered]

    def for_path(self, method: str, path: str) -> SpecOperation | None:
        path = path.rstrip("/") or "/"
        for operation, pattern in self._paths:
            if operation.method == method and pattern.match(path):
                return operation
        return None

    def for_template(self, method: str, template: str) -> SpecOperation | None:
        normalized = normalize(template)
        for operation, pattern in self._templates:
            if operation.method == method and pattern.match(normalized):
                return operation
        return None


def key(operation: SpecOperation | InferredOperation) -> str:
    return f"{operation.method} {normalize(operation.template)}"


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: Counts) -> None:
        self.tp, self.fp, self.fn = self.tp + other.tp, self.fp + other.fp, self.fn + other.fn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class OperationScore:
    """Precision counts inferred operations; recall counts reference operations."""

    found: dict[str, list[InferredOperation]]  # reference operation key → the tool's ones
    missed: list[SpecOperation]
    spurious: list[InferredOperation]
    inferred: int
    reference: int

    @property
    def precision(self) -> float:
        return (self.inferred - len(self.spurious)) / self.inferred if self.inferred else 0.0

    @property
    def recall(self) -> float:
        return len(self.found) / self.reference if self.reference else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def reference_operations(calls: list[Call], matcher: Matcher) -> dict[str, SpecOperation]:
    found: dict[str, SpecOperation] = {}
    for call in calls:
        operation = matcher.for_path(call.method, call.path)
        if operation is not None:
            found.setdefault(key(operation), operation)
    return found


def score_operations(
    inferred: list[InferredOperation], reference: dict[str, SpecOperation], matcher: Matcher
) -> OperationScore:
    found: dict[str, list[InferredOperation]] = {}
    spurious: list[InferredOperation] = []
    seen: set[str] = set()
    for operation in inferred:
        target = matcher.for_template(operation.method, operation.template)
        duplicate = key(operation) in seen
        seen.add(key(operation))
        if target is None or key(target) not in reference or duplicate:
            spurious.append(operation)
        else:
            found.setdefault(key(target), []).append(operation)
    missed = [operation for name, operation in reference.items() if name not in found]
    return OperationScore(found, missed, spurious, len(inferred), len(reference))


# -- response properties ----------------------------------------------------------------


def join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def schema_paths(schema: Schema, prefix: str = "", depth: int = 0) -> set[str]:
    """Every property path an inferred schema declares; a map's keys are ``*``."""
    found: set[str] = set()
    if not isinstance(schema, dict) or depth > 12:
        return found
    for combinator in ("anyOf", "oneOf", "allOf"):
        for branch in schema.get(combinator) or []:
            found |= schema_paths(branch, prefix, depth + 1)
    properties = schema.get("properties") or {}
    for name, child in properties.items():
        found.add(join(prefix, name))
        found |= schema_paths(child, join(prefix, name), depth + 1)
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict) and extra and not properties:
        found.add(join(prefix, "*"))
        found |= schema_paths(extra, join(prefix, "*"), depth + 1)
    items = schema.get("items")
    for item in items if isinstance(items, list) else [items]:
        found |= schema_paths(item, prefix + "[]", depth + 1)
    return found


def _every_path(value: JSONValue, prefix: str, into: set[str]) -> None:
    if isinstance(value, dict):
        for name, child in value.items():
            into.add(join(prefix, name))
            _every_path(child, join(prefix, name), into)
    elif isinstance(value, list):
        for item in value:
            _every_path(item, prefix + "[]", into)


@dataclass
class Truth:
    """What a spec documents and the captured responses contain (see the docstring)."""

    spec: Spec
    paths: set[str] = field(default_factory=set)
    undocumented: set[str] = field(default_factory=set)

    def _flatten(self, schema: Schema) -> tuple[dict[str, Schema], Schema, Schema, set[str]]:
        """Properties, additionalProperties, items and types, over combinators."""
        schema = self.spec.resolve(schema)
        if not isinstance(schema, dict):
            return {}, None, None, set()
        properties = dict(schema.get("properties") or {})
        extra, items = schema.get("additionalProperties"), schema.get("items")
        kinds = schema.get("type", [])
        types = {kinds} if isinstance(kinds, str) else set(kinds)
        for combinator in ("anyOf", "oneOf", "allOf"):
            for branch in schema.get(combinator) or []:
                more, more_extra, more_items, more_types = self._flatten(branch)
                properties.update(more)
                extra = extra if extra is not None else more_extra
                items = items if items is not None else more_items
                types |= more_types
        return properties, extra, items, types

    def walk(self, schema: Schema, value: JSONValue, prefix: str = "") -> None:
        if not isinstance(value, dict | list):
            return
        if schema is None:
            _every_path(value, prefix, self.undocumented)
            return
        properties, extra, items, types = self._flatten(schema)
        kind = "object" if isinstance(value, dict) else "array"
        if types and kind not in types:  # the spec says a scalar (or the other kind)
            _every_path(value, prefix, self.undocumented)
        elif isinstance(value, list):
            for item in value:
                self.walk({} if items is None else items, item, prefix + "[]")
        elif not properties and extra in (None, True, {}) and items is None:
            _every_path(value, prefix, self.paths)  # left open: whatever occurred counts
        else:
            self._walk_object(properties, extra, value, prefix)

    def _walk_object(
        self, properties: dict[str, Schema], extra: Schema, value: dict[str, Any], prefix: str
    ) -> None:
        for name, child in value.items():
            path = join(prefix, name)
            if name in properties:
                self.paths.add(path)
                self.walk(properties[name], child, path)
            elif isinstance(extra, dict) and extra:
                self.paths.add(join(prefix, "*"))
                self.walk(extra, child, join(prefix, "*"))
            elif extra is True or extra == {}:
                self.paths.add(path)
                _every_path(child, path, self.paths)
            else:
                self.undocumented.add(path)
                _every_path(child, path, self.undocumented)


@dataclass
class PropertyDiff:
    operation: str
    status: str
    missing: set[str]
    extra: set[str]


@dataclass
class PropertyScore:
    counts: Counts = field(default_factory=Counts)
    pairs: int = 0
    undocumented: int = 0
    diffs: list[PropertyDiff] = field(default_factory=list)


def score_properties(
    operations: OperationScore,
    reference: dict[str, SpecOperation],
    calls_by_operation: dict[str, list[Call]],
    spec: Spec,
) -> PropertyScore:
    score = PropertyScore()
    for name, inferred in sorted(operations.found.items()):
        expected = reference[name]
        for status, spec_schema in sorted(expected.responses.items()):
            if not status.startswith("2") or not any(status in op.responses for op in inferred):
                continue
            truth = Truth(spec)
            for call in calls_by_operation.get(name, []):
                if str(call.status) == status and call.is_json:
                    truth.walk(spec_schema, call.body)
            got: set[str] = set()
            for operation in inferred:
                got |= schema_paths(operation.responses.get(status))
            extra = got - truth.paths - truth.undocumented
            counts = Counts(len(got & truth.paths), len(extra), len(truth.paths - got))
            score.counts.add(counts)
            score.pairs += 1
            score.undocumented += len(truth.undocumented)
            if counts.fp or counts.fn:
                score.diffs.append(PropertyDiff(name, status, truth.paths - got, extra))
    return score


# -- one server -------------------------------------------------------------------------


@dataclass
class ToolResult:
    operations: OperationScore | None = None
    properties: PropertyScore | None = None
    unavailable: str | None = None


@dataclass
class ServerResult:
    server: str
    version: str
    calls: list[Call]
    stored: int  # rows apidisco's addon stored
    matcher: Matcher
    seconds: float = 0.0
    tools: dict[str, ToolResult] = field(default_factory=dict)

    @cached_property
    def reference(self) -> dict[str, SpecOperation]:
        return reference_operations(self.calls, self.matcher)

    @cached_property
    def unmatched(self) -> list[Call]:
        return [c for c in self.calls if self.matcher.for_path(c.method, c.path) is None]


@dataclass(frozen=True)
class Capture:
    """What one server's run left behind: its spec, the store and the flow file."""

    spec: Spec
    version: str
    environ: dict[str, str]
    endpoint_id: str
    upstream: str
    flows: Path

    @property
    def database(self) -> Path:
        return Path(self.environ["APIDISCO_DATABASE_URL"].removeprefix("sqlite:///"))


def fetch(url: str, headers: dict[str, str]) -> httpx.Response:
    response = httpx.get(url, headers=headers, timeout=30, trust_env=False)
    response.raise_for_status()
    return response


def drive(server: Server, proxy_port: int, seed: int) -> None:
    base = f"http://127.0.0.1:{proxy_port}"
    with httpx.Client(base_url=base, headers=server.headers, timeout=120, trust_env=False) as c:
        server.workload(c, random.Random(seed))


def capture(server: Server, folder: Path, bench: Path, seed: int) -> Capture:
    """Runs the server and the recording proxy, drives the workload, stops both."""
    environ = base_environment(folder)
    flows = folder / "capture.flows"
    port = free_port()
    upstream = f"http://127.0.0.1:{port}"
    with contextlib.ExitStack() as stack:
        command = server.command(bench, port, folder)
        process = Process.start(server.name, command, folder, environ | server.environ(folder))
        stack.callback(process.stop)
        wait_until(lambda: http_ok(upstream + server.ready_path, server.headers), process)
        spec_text = fetch(upstream + server.spec_path, server.headers).text
        (folder / "published-spec.txt").write_text(spec_text)
        about = fetch(upstream + server.version_path, server.headers).json()
        endpoint_id = prepare_store(environ, upstream, f"quality-{server.name}")
        proxy_port = start_recording_proxy(stack, folder, environ, upstream, endpoint_id, flows)
        drive(server, proxy_port, seed)
    version = str(about.get(server.version_key, "?"))
    return Capture(load_spec(spec_text), version, environ, endpoint_id, upstream, flows)


def evaluate(inferred: list[InferredOperation], result: ServerResult) -> ToolResult:
    operations = score_operations(inferred, result.reference, result.matcher)
    by_operation: dict[str, list[Call]] = {}
    for call in result.calls:
        operation = result.matcher.for_path(call.method, call.path)
        if operation is not None:
            by_operation.setdefault(key(operation), []).append(call)
    spec = result.matcher.spec
    properties = score_properties(operations, result.reference, by_operation, spec)
    return ToolResult(operations, properties)


def apidisco_model(run: Capture, result: ServerResult) -> ToolResult:
    problem = run_apidisco_infer(run.environ, run.endpoint_id)
    if problem is not None:
        return ToolResult(unavailable=problem)
    try:
        return evaluate(read_apidisco(run.database, run.endpoint_id), result)
    except (sqlite3.Error, ValueError, TypeError, AttributeError) as error:
        return ToolResult(unavailable=f"discovered_endpoints unreadable: {error!r}")


def mitmproxy2swagger_model(run: Capture, result: ServerResult, bench: Path) -> ToolResult:
    output = run.flows.with_name("mitmproxy2swagger.yaml")
    try:
        run_mitmproxy2swagger(bench, run.flows, run.upstream, output)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
        return ToolResult(unavailable=f"mitmproxy2swagger failed: {error}")
    document = yaml.safe_load(output.read_text())
    return evaluate(read_openapi_operations(document), result)


def run_server(server: Server, folder: Path, bench: Path, seed: int) -> ServerResult:
    started = time.monotonic()
    folder.mkdir(parents=True)
    run = capture(server, folder, bench, seed)
    result = ServerResult(
        server=server.name,
        version=run.version,
        calls=read_flows(run.flows),
        stored=stored_calls(run.database, run.endpoint_id),
        matcher=Matcher(run.spec, server.multi_segment),
    )
    result.tools[APIDISCO] = apidisco_model(run, result)
    result.tools[M2S] = mitmproxy2swagger_model(run, result, bench)
    result.seconds = time.monotonic() - started
    return result


# -- output -----------------------------------------------------------------------------


def figures(tool: ToolResult) -> list[str]:
    """Operation P/R/F1, property P/R/F1 and pairs, formatted; n/a when unavailable."""
    if tool.operations is None or tool.properties is None:
        return ["n/a"] * 7
    ops, props = tool.operations, tool.properties.counts
    values = [ops.precision, ops.recall, ops.f1, props.precision, props.recall, props.f1]
    return [f"{value:.3f}" for value in values] + [str(tool.properties.pairs)]


def print_table(result: ServerResult) -> None:
    spec_total = len({key(op) for op in result.matcher.spec.operations})
    print(
        f"\n{result.server} {result.version}: {len(result.calls)} calls captured "
        f"({result.stored} stored by apidisco), {len(result.reference)} of {spec_total} "
        f"spec operations exercised, {len(result.unmatched)} calls outside the spec, "
        f"{result.seconds:.0f} s"
    )
    print(f"{'':19} {'operations':^22}   {'response properties':^22}")
    print(f"{'tool':19} {'P':>6} {'R':>7} {'F1':>7}   {'P':>6} {'R':>7} {'F1':>7}  pairs")
    for name in TOOLS:
        tool = result.tools[name]
        cells = figures(tool)
        print(
            f"{name:19} {cells[0]:>6} {cells[1]:>7} {cells[2]:>7}   "
            f"{cells[3]:>6} {cells[4]:>7} {cells[5]:>7}  {cells[6]:>5}"
        )
        if tool.unavailable:
            print(f"{'':19} unavailable: {tool.unavailable}")


def print_markdown(results: list[ServerResult]) -> None:
    print("\n| server | calls | tool | op P | op R | op F1 | prop P | prop R | prop F1 | pairs |")
    print("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for result in results:
        for name in TOOLS:
            cells = " | ".join(figures(result.tools[name]))
            server = f"{result.server} {result.version}"
            print(f"| {server} | {len(result.calls)} | {name} | {cells} |")


def goal_verdict(result: ServerResult) -> str:
    ours, theirs = result.tools[APIDISCO], result.tools[M2S]
    if ours.operations is None or ours.properties is None:
        return "not measured (apidisco's model is unavailable)"
    gaps = []
    op_f1, prop_f1 = ours.operations.f1, ours.properties.counts.f1
    if op_f1 < GOAL_OPERATIONS:
        gaps.append(f"operation F1 {op_f1:.3f} < {GOAL_OPERATIONS}")
    if prop_f1 < GOAL_PROPERTIES:
        gaps.append(f"property F1 {prop_f1:.3f} < {GOAL_PROPERTIES}")
    if theirs.operations is not None and op_f1 <= theirs.operations.f1:
        gaps.append(f"operation F1 not above {M2S}'s {theirs.operations.f1:.3f}")
    if theirs.properties is not None and prop_f1 <= theirs.properties.counts.f1:
        gaps.append(f"property F1 not above {M2S}'s {theirs.properties.counts.f1:.3f}")
    return "met" if not gaps else "not met: " + "; ".join(gaps)


def print_goal(results: list[ServerResult]) -> None:
    print(
        f"\nGoal: apidisco's operation F1 >= {GOAL_OPERATIONS} and response-property F1 >= "
        f"{GOAL_PROPERTIES} on each server, and both above {M2S}'s."
    )
    for result in results:
        print(f"  {result.server}: {goal_verdict(result)}")


def examples(paths: Iterable[str]) -> str:
    ordered = sorted(set(paths))
    if not ordered:
        return "no captured call"
    return ordered[0] + (f" (+{len(ordered) - 1})" if len(ordered) > 1 else "")


def _listed(paths: Iterable[str], limit: int = 10) -> str:
    ordered = sorted(paths)
    more = f" (+{len(ordered) - limit})" if len(ordered) > limit else ""
    return ", ".join(ordered[:limit]) + more


def _capped(lines: list[str], limit: int) -> list[str]:
    return lines[:limit] + ([f"  ... and {len(lines) - limit} more"] if len(lines) > limit else [])


def _missed_lines(result: ServerResult, operations: OperationScore) -> list[str]:
    lines = []
    for missed in operations.missed:
        paths = (
            call.path
            for call in result.calls
            if result.matcher.for_path(call.method, call.path) is missed
        )
        lines.append(f"  missed   {key(missed)}  e.g. {examples(paths)}")
    return lines


def _spurious_lines(result: ServerResult, operations: OperationScore) -> list[str]:
    lines = []
    for spurious in operations.spurious:
        pattern = _pattern(spurious.template, frozenset(), True)
        calls = [c for c in result.calls if c.method == spurious.method and pattern.match(c.path)]
        owner = result.matcher.for_path(calls[0].method, calls[0].path) if calls else None
        belongs = f"  [spec: {key(owner)}]" if owner else ""
        lines.append(
            f"  spurious {spurious.method} {spurious.template}  "
            f"e.g. {examples(c.path for c in calls)}{belongs}"
        )
    return lines


def _property_lines(properties: PropertyScore) -> list[str]:
    lines = []
    for diff in properties.diffs:
        lines.append(f"  {diff.operation} {diff.status}:")
        if diff.missing:
            lines.append(f"    missing {_listed(diff.missing)}")
        if diff.extra:
            lines.append(f"    extra   {_listed(diff.extra)}")
    return lines


def print_details(result: ServerResult, limit: int) -> None:
    for name in TOOLS:
        tool = result.tools[name]
        if tool.operations is None or tool.properties is None:
            continue
        print(
            f"\n{name} on {result.server} ({tool.properties.undocumented} property paths the "
            "spec does not document were not scored):"
        )
        for lines in (
            _missed_lines(result, tool.operations),
            _spurious_lines(result, tool.operations),
            _property_lines(tool.properties),
        ):
            if lines:
                print("\n".join(_capped(lines, limit)))
    for call in result.unmatched[:limit]:
        print(f"  outside the spec: {call.method} {call.path} -> {call.status}")


# -- the run ----------------------------------------------------------------------------


def check_bench_venv(bench: Path) -> None:
    missing = [
        name
        for name in ("kinto", "jupyter-server", "mitmproxy2swagger")
        if not (bench / name).exists()
    ]
    if missing:
        raise SystemExit(
            f"{', '.join(missing)} not found in {bench}; install them with:\n"
            f"  python3.11 -m venv {bench.parent}\n"
            f"  {bench / 'pip'} install -r {HERE / 'quality' / 'requirements.txt'}"
        )


@contextlib.contextmanager
def scratch_folder(keep: Path | None) -> Iterator[Path]:
    if keep is not None:
        if keep.exists() and any(keep.iterdir()):
            raise SystemExit(f"--keep {keep}: the folder is not empty")
        keep.mkdir(parents=True, exist_ok=True)
        yield keep
        return
    with tempfile.TemporaryDirectory(prefix="apidisco-quality-") as folder:
        yield Path(folder)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--servers",
        default=",".join(SERVERS),
        help=f"comma-separated (default {','.join(SERVERS)})",
    )
    parser.add_argument("--seed", type=int, default=7, help="the workload's random seed")
    parser.add_argument(
        "--bench-venv",
        type=Path,
        default=DEFAULT_BENCH_VENV,
        help=f"the servers' and mitmproxy2swagger's virtualenv (default {DEFAULT_BENCH_VENV})",
    )
    parser.add_argument("--keep", type=Path, help="work in this folder and leave it behind")
    parser.add_argument("--markdown", action="store_true", help="also print a Markdown table")
    parser.add_argument(
        "--details",
        type=int,
        nargs="?",
        const=40,
        default=0,
        metavar="N",
        help="list the mismatches, at most N lines of each kind (default 40)",
    )
    args = parser.parse_args()
    names = [name.strip() for name in args.servers.split(",") if name.strip()]
    unknown = sorted(set(names) - set(SERVERS))
    if unknown:
        parser.error(f"unknown servers: {', '.join(unknown)} (known: {', '.join(SERVERS)})")
    bench = args.bench_venv / "bin"
    check_bench_venv(bench)
    command = shlex.join(["python", "benchmarks/inference_quality.py", *sys.argv[1:]])

    results: list[ServerResult] = []
    with scratch_folder(args.keep) as folder:
        for name in names:
            result = run_server(SERVERS[name], folder / name, bench, args.seed)
            results.append(result)
            print_table(result)
            if args.details:
                print_details(result, args.details)
    if args.markdown:
        print_markdown(results)
    print_goal(results)
    print(f"command: {command}")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        print("interrupted: every process it started was stopped")
        sys.exit(130)
