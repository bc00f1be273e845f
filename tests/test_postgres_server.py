"""The throwaway PostgreSQL server leaves nothing behind, however its run ends."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from booktools.verify.postgres import PostgresUnavailable, server_bindir

ROOT = Path(__file__).resolve().parent.parent

try:
    server_bindir()
except PostgresUnavailable as missing:
    pytest.skip(f"PostgreSQL server programs are not installed: {missing}", allow_module_level=True)

# Starts a server, prints its port, then waits to be interrupted.
HOLD_SERVER = """
import time
from booktools.verify.postgres import throwaway_server
with throwaway_server() as url:
    print(url.rsplit(":", 1)[1].split("/")[0], flush=True)
    time.sleep(60)
"""


def postgres_processes_on(port: str) -> list[str]:
    ps = subprocess.run(["ps", "-ww", "-eo", "args"], capture_output=True, text=True, check=True)
    return [line for line in ps.stdout.splitlines() if f"-p {port}" in line and "postgres" in line]


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl+C"])
def test_an_interrupted_run_stops_the_server_and_removes_its_directory(signum: int) -> None:
    with subprocess.Popen(
        [sys.executable, "-c", HOLD_SERVER],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    ) as holder:
        port = holder.stdout.readline().strip()
        assert port.isdigit(), "the server did not start"
        (server,) = postgres_processes_on(port)
        directory = Path(re.search(r" -k (\S+)", server).group(1))
        assert directory.is_dir()
        holder.send_signal(signum)
        holder.wait(timeout=30)
    deadline = time.monotonic() + 10
    while postgres_processes_on(port) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert postgres_processes_on(port) == []
    assert not directory.exists()
