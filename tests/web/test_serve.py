"""``apidisco serve`` as a user runs it: a real process, stopped with Ctrl-C (SIGINT)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_serve_answers_until_interrupted(tmp_path: Path) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("APIDISCO_", "DATABASE_"))},
        "APIDISCO_DATA_DIR": str(tmp_path / "data"),
        "APIDISCO_CONFIG": str(tmp_path / "none.toml"),
    }
    port = _free_port()
    command = [sys.executable, "-m", "apidisco", "serve", "--port", str(port)]
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                home = httpx.get(f"http://127.0.0.1:{port}/", timeout=5)
                break
            except httpx.TransportError:
                assert process.poll() is None, process.communicate()[1]
                assert time.monotonic() < deadline, "apidisco serve did not start"
                time.sleep(0.1)
        assert home.status_code == 200
        assert "API documentation" in home.text
        assert "Nothing has been published yet." in home.text
        assert httpx.get(f"http://127.0.0.1:{port}/docs/anything", timeout=5).status_code == 404
    finally:
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    assert f"at http://127.0.0.1:{port}/" in stdout
    assert "Serving the documentation in" in stdout
    assert "Stopped." in stdout
