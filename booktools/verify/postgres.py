"""A throwaway PostgreSQL server for the test suite, started with initdb and pg_ctl.

It lives in a new temporary directory, listens on 127.0.0.1 only, on a free port, with a
password made up at start and never written to the repository; :func:`throwaway_server`
stops it and deletes its directory however the block it guards ends (failure, Ctrl+C or
SIGTERM). Only the standard library is used, because ``noxfile.py`` imports this module.

Run ``python -m booktools.verify.postgres`` to get one for experiments; it prints its URL.
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

INSTALL_HINT = (
    "PostgreSQL server programs (initdb, pg_ctl) were not found on PATH or in "
    "/usr/lib/postgresql/*/bin. Install them: 'sudo apt-get install postgresql' on Debian "
    "or Ubuntu, 'sudo dnf install postgresql-server' on Fedora, 'brew install postgresql' "
    "on macOS; or put their directory on PATH."
)


class PostgresUnavailable(RuntimeError):
    pass


def server_bindir() -> Path:
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parent.parent.name),
    )
    if not candidates:
        raise PostgresUnavailable(INSTALL_HINT)
    return Path(candidates[-1]).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _unprivileged_user() -> str | None:
    """PostgreSQL refuses to run as root; as root, run it as 'postgres' or 'nobody'."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    raise PostgresUnavailable("running as root and no 'postgres' or 'nobody' user exists")


@contextmanager
def throwaway_server() -> Iterator[str]:
    """Start a server and yield a psycopg 3 URL to its (empty) database."""
    bindir = server_bindir()
    user = _unprivileged_user()
    as_user = ["runuser", "-u", user, "--"] if user else []
    directory = Path(tempfile.mkdtemp(prefix="book-postgres-"))
    previous_sigterm = signal.signal(signal.SIGTERM, _exit_on_sigterm)
    started = False
    try:
        if user:
            entry = pwd.getpwnam(user)
            os.chown(directory, entry.pw_uid, entry.pw_gid)
        password = secrets.token_urlsafe(24)
        password_file = directory / "password"
        password_file.write_text(password)
        password_file.chmod(0o600)
        if user:
            os.chown(password_file, entry.pw_uid, entry.pw_gid)
        data = directory / "data"
        _run(
            as_user
            + [
                str(bindir / "initdb"), "-D", str(data), "-U", "book",
                f"--pwfile={password_file}", "--auth=scram-sha-256",
                "--encoding=UTF8", "--locale=C", "--no-instructions",
            ]
        )
        password_file.unlink()
        port = _free_port()
        options = (
            f"-c listen_addresses=127.0.0.1 -p {port} -k {directory} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        _run(
            as_user
            + [
                str(bindir / "pg_ctl"), "-D", str(data), "-l", str(directory / "server.log"),
                "-o", options, "-w", "start",
            ]
        )
        started = True
        # the "postgres" database that initdb creates is ours alone: the server is new
        yield f"postgresql+psycopg://book:{password}@127.0.0.1:{port}/postgres"
    finally:
        if started:
            subprocess.run(
                as_user + [str(bindir / "pg_ctl"), "-D", str(directory / "data"), "-m",
                           "immediate", "-w", "stop"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False,
            )
        shutil.rmtree(directory, ignore_errors=True)
        signal.signal(signal.SIGTERM, previous_sigterm)


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def _run(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise PostgresUnavailable(
            f"{Path(command[command.index('--') + 1 if '--' in command else 0]).name} failed "
            f"(exit {result.returncode}):\n{result.stdout}{result.stderr}"
        )


if __name__ == "__main__":
    try:
        with throwaway_server() as url:
            print(f"export BOOK_DATABASE_URL='{url}'\nServing until Ctrl+C.", flush=True)
            signal.pause()
    except PostgresUnavailable as error:
        sys.exit(str(error))
    except KeyboardInterrupt:
        pass
