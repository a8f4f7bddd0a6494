"""OpenAPI documents checked with openapi-spec-validator, here or in a helper process.

:func:`openapi_problem` checks a document in this process. Loading the
validator (it brings pydantic, jsonschema and referencing) and checking a
document each take about as long as ``apidisco discover`` needs for a
thousand flows, so :class:`ValidatorProcess` does both in a process of its
own: started when the command starts, it loads the validator while this
process reads and infers, then checks the document while this process renders
it. The answer is the same as :func:`openapi_problem`'s on the same document
(it travels as JSON, which is what an OpenAPI document is); when the helper
cannot start or answer, or the document does not travel as JSON, the check
runs here instead. Either way nothing invalid is written.

The head start only matters for short runs: :func:`head_start` uses a helper
for inputs up to :data:`HEAD_START_MAX_INPUT` bytes, and none for larger ones,
where half a second is lost in the noise and the helper's ~50 MB would add to
the command's peak memory instead. The longer the head start the better: the
console script calls :func:`start_early` before it loads the CLI when the
command line names ``apidisco discover``, and :func:`head_start` takes that
helper over (or stops it, for a large input). This module imports only the
standard library at the top for that reason.

Run as ``python -m apidisco.services.openapi_validation``, the module is that
helper: one JSON document per line on standard input, one answer per line
(``{"problem": null}`` or the problem) on standard output.
"""

from __future__ import annotations

import contextlib
import os
import select
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from types import TracebackType
from typing import IO, Any

__all__ = [
    "HEAD_START_MAX_INPUT",
    "ValidatorProcess",
    "Verdict",
    "head_start",
    "openapi_problem",
    "start_early",
]

#: Inputs larger than this (bytes of capture files) are validated without a helper.
HEAD_START_MAX_INPUT = 32 * 1024 * 1024

#: Waits for and returns a check's answer: ``None`` when the document is valid.
Verdict = Callable[[], "str | None"]


def openapi_problem(document: Mapping[str, Any]) -> str | None:
    """Why ``document`` is not a valid OpenAPI document (``where: message``), or ``None``."""
    from openapi_spec_validator import validate
    from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

    try:
        validate(document)
    except OpenAPIValidationError as error:
        where = "/".join(str(part) for part in getattr(error, "absolute_path", ()))
        return f"{where or 'document'}: {str(error).splitlines()[0]}"
    return None


_early: ValidatorProcess | None = None  # started by start_early, not yet taken over


def start_early() -> None:
    """Start a helper now, for the :func:`head_start` to come.

    Unused, it costs nothing but its start: it ends as soon as its input
    closes, at the latest when this process ends.
    """
    global _early
    if _early is None:
        _early = ValidatorProcess()


@contextlib.contextmanager
def head_start(input_bytes: int) -> Iterator[ValidatorProcess | None]:
    """A :class:`ValidatorProcess` for a run over ``input_bytes`` of captures, or
    ``None`` when the input is large enough that validating here is as good.

    A helper from :func:`start_early` is taken over (or stopped) here.
    """
    global _early
    early, _early = _early, None
    if input_bytes > HEAD_START_MAX_INPUT:
        if early is not None:
            early._stop()  # still loading: stopped, not waited for
        yield None
        return
    with early or ValidatorProcess() as validator:
        yield validator


class ValidatorProcess:
    """openapi-spec-validator in a helper process, loading from the moment it starts.

    Use it as a context manager; :meth:`submit` hands a document over and
    returns a :data:`Verdict` to call when the answer is needed.
    """

    def __init__(self) -> None:
        self._process: subprocess.Popen[bytes] | None = None
        self._sent = 0  # documents handed over
        self._received = 0  # answers read
        self._answers: dict[int, dict[str, Any]] = {}  # read, not yet asked for
        self._last: _Sending | None = None
        try:
            self._process = subprocess.Popen(
                # -P: the working directory is not put on the helper's path, so a
                # folder there named like a package cannot stand in for it.
                [sys.executable, "-P", "-m", __name__],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
        except OSError:
            self._process = None

    def submit(self, document: Mapping[str, Any]) -> Verdict:
        """Start checking ``document``; call the result for the answer (in any order)."""
        import orjson  # not at the top: see the module's docstring

        process = self._process
        if process is None or process.stdin is None:
            return lambda: openapi_problem(document)
        try:
            line = orjson.dumps(document) + b"\n"
        except TypeError:  # not JSON (a key that is not text, a huge integer)
            return lambda: openapi_problem(document)
        # Written by a thread: a document larger than the pipe's buffer would
        # otherwise block here until the helper has loaded the validator.
        self._last = sending = _Sending(process.stdin, line, after=self._last)
        number = self._sent
        self._sent += 1

        def verdict() -> str | None:
            answer = self._answer(number) if sending.done() else None
            if answer is None:  # the helper died or said something else
                self._stop()
                return openapi_problem(document)
            problem: str | None = answer["problem"]
            return problem

        return verdict

    def _answer(self, number: int) -> dict[str, Any] | None:
        """The helper's answer to document ``number``; answers come in order."""
        while number not in self._answers:
            process = self._process
            if process is None or process.stdout is None:
                return None
            answer = _read_answer(process.stdout)
            if answer is None:
                return None
            self._answers[self._received] = answer
            self._received += 1
        return self._answers.pop(number)

    def close(self) -> None:
        """Let the helper finish and reap it (it ends when its input does)."""
        process = self._process
        if process is None:
            return
        self._process = None
        try:
            if process.stdin is not None:
                process.stdin.close()
            if not _ended(process, timeout=5):
                raise subprocess.TimeoutExpired(process.args, 5)
            process.wait()
        except (OSError, subprocess.TimeoutExpired):
            process.kill()
            process.wait()
        finally:
            if process.stdout is not None:
                process.stdout.close()

    def _stop(self) -> None:
        if self._process is not None:
            self._process.kill()
            self.close()

    def __enter__(self) -> ValidatorProcess:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if error is not None:
            self._stop()
        else:
            self.close()


class _Sending:
    """One line written to the helper's input by a thread, after the previous one."""

    def __init__(self, stdin: IO[bytes], line: bytes, *, after: _Sending | None) -> None:
        self._failed = False
        self._thread = threading.Thread(
            target=self._send, args=(stdin, line, after), name="openapi-validation", daemon=True
        )
        self._thread.start()

    def _send(self, stdin: IO[bytes], line: bytes, after: _Sending | None) -> None:
        if after is not None and not after.done():
            self._failed = True
            return
        try:
            stdin.write(line)
            stdin.flush()
        except (OSError, ValueError):  # the helper is gone, or its input closed
            self._failed = True

    def done(self) -> bool:
        """Wait for the line to be written; whether it was."""
        self._thread.join()
        return not self._failed


def _ended(process: subprocess.Popen[bytes], *, timeout: float) -> bool:
    """Whether ``process`` ends within ``timeout`` seconds.

    On POSIX this waits for its output to close, which it does as it exits:
    ``Popen.wait`` with a timeout polls, sleeping longer each time, and so
    notices an exit that takes 2 ms only after about 7.
    """
    stdout = process.stdout
    if os.name != "posix" or stdout is None:
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return False
        return True
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([stdout], [], [], left)[0]:
            return False
        if not os.read(stdout.fileno(), 65536):
            return True


def _read_answer(stdout: IO[bytes]) -> dict[str, Any] | None:
    import orjson  # loaded already: a document was submitted

    try:
        answer = orjson.loads(stdout.readline())
    except (OSError, ValueError):
        return None
    if not isinstance(answer, dict) or not isinstance(answer.get("problem", 0), (str, type(None))):
        return None
    return answer


#: Checked by the helper before it waits for work: openapi-spec-validator builds
#: its checkers on first use, so that happens before the first real document.
_WARM_UP: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "warm-up", "version": "1.0.0"},
    "paths": {
        "/items/{id}": {
            "parameters": [
                {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
            ],
            "get": {
                "operationId": "getItem",
                "parameters": [
                    {"name": "q", "in": "query", "schema": {"type": "string", "enum": ["a"]}}
                ],
                "security": [{"bearer": []}],
                "responses": {
                    "200": {
                        "description": "OK",
                        "headers": {"x-id": {"schema": {"type": "string", "format": "uuid"}}},
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/Item"},
                                "examples": {"captured": {"value": {"id": 1}}},
                            }
                        },
                    }
                },
            },
        }
    },
    "components": {
        "schemas": {
            "Item": {
                "type": "object",
                "properties": {"id": {"type": "integer"}, "at": {"type": ["string", "null"]}},
                "required": ["id"],
            }
        },
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
    },
}


def _serve(stdin: IO[bytes], stdout: IO[bytes]) -> None:
    import orjson  # parses a document several times faster than json, once it is loaded

    openapi_problem(_WARM_UP)
    for line in stdin:
        problem = openapi_problem(orjson.loads(line))
        stdout.write(orjson.dumps({"problem": problem}) + b"\n")
        stdout.flush()


if __name__ == "__main__":
    _serve(sys.stdin.buffer, sys.stdout.buffer)
    # Every answer is out: end without tearing the validator's modules down,
    # which takes ~50 ms that the command would spend waiting in close().
    os._exit(0)
