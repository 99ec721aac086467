"""A real PostgreSQL server on 127.0.0.1 for the tests: no mock, no container.

The binaries come from the ``pgserver`` wheel (in the ``dev`` extra, so ``scripts/bootstrap.sh``
installs them on a clean clone) or, failing that, from the ``postgres`` found on ``PATH``
(``pg_config --bindir``). With neither, the PostgreSQL tests **fail** under CI (``CI`` set, as
``.ci/run`` runs) and are skipped, with the reason, elsewhere.

One server per test session (:func:`postgres`, started once, stopped at the end), a fresh
database per test module (:func:`pg_database`); :func:`truncate` empties the tables between
tests. PostgreSQL refuses to run as root: as root the server runs as the ``postgres`` user
(or ``nobody``), from a copy of the binaries if that user cannot reach them where they are.
"""

from __future__ import annotations

import contextlib
import importlib.util
import itertools
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest

#: Seconds the server may take to start (initdb included) or to stop.
START_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0
#: The tables the stores write (emptied between tests; the schema and the salt stay).
TABLES = ("votes", "answers", "claims", "sync_state")

_counter = itertools.count(1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def find_bindir() -> Path | None:
    """Where ``initdb`` and ``postgres`` are: pgserver's wheel first, then ``PATH``."""
    spec = importlib.util.find_spec("pgserver")
    if spec is not None and spec.origin is not None:
        bindir = Path(spec.origin).parent / "pginstall" / "bin"
        if (bindir / "postgres").is_file() and (bindir / "initdb").is_file():
            return bindir
    config = shutil.which("pg_config")
    if config is not None:
        found = subprocess.run([config, "--bindir"], capture_output=True, text=True, check=False).stdout.strip()
        if found and (Path(found) / "initdb").is_file():
            return Path(found)
    postgres = shutil.which("postgres")
    if postgres is not None:
        bindir = Path(postgres).resolve().parent
        if (bindir / "initdb").is_file():
            return bindir
    return None


class PostgresServer:
    """``initdb`` into a temporary folder, then ``postgres`` on 127.0.0.1 (TCP only, trust
    authentication, durability off: it is thrown away)."""

    def __init__(self, bindir: Path) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="puedo-pg-"))
        self.bindir = bindir
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.log = self.root / "postgres.log"
        self._user: pwd.struct_passwd | None = None
        if os.geteuid() == 0:
            self._user = _unprivileged_user()
            os.chown(self.root, self._user.pw_uid, self._user.pw_gid)
            self.bindir = self._reachable_bindir()

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> PostgresServer:
        data = self.root / "data"
        self._run([str(self.bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                   "--locale=C", "-N"])  # fmt: skip
        options = {
            "listen_addresses": "127.0.0.1",
            "port": str(self.port),
            "unix_socket_directories": "",
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "max_connections": "300",
            "shared_buffers": "64MB",
        }
        command = [str(self.bindir / "postgres"), "-D", str(data)]
        for name, value in options.items():
            command += ["-c", f"{name}={value}"]
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, **self._as_user())
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"postgres exited with {self.process.returncode}:\n{self.log_tail()}")
            if self.is_ready():
                return self
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"postgres did not accept connections within {START_TIMEOUT:.0f} s:\n{self.log_tail()}")

    def stop(self) -> None:
        """Fast shutdown (SIGINT), SIGKILL after :data:`STOP_TIMEOUT`; the folder is deleted."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(STOP_TIMEOUT)
        self.process = None
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ databases

    def url(self, database: str = "postgres", *, driver: str = "postgresql+psycopg") -> str:
        return f"{driver}://postgres@127.0.0.1:{self.port}/{database}"

    def is_ready(self) -> bool:
        import psycopg

        try:
            with psycopg.connect(self.url().replace("+psycopg", ""), connect_timeout=1):
                return True
        except psycopg.OperationalError:
            return False

    def create_database(self, hint: str) -> str:
        """A new empty database (named after ``hint``); returns its SQLAlchemy URL."""
        import psycopg

        name = f"t{next(_counter)}_{re.sub(r'[^a-z0-9]+', '_', hint.lower())}"[:60]
        with psycopg.connect(self.url().replace("+psycopg", ""), autocommit=True) as con:
            con.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, url: str) -> None:
        import psycopg

        name = url.rsplit("/", 1)[1]
        with psycopg.connect(self.url().replace("+psycopg", ""), autocommit=True) as con:
            con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    # ------------------------------------------------------------------ running as another user

    def _as_user(self) -> dict[str, object]:
        if self._user is None:
            return {}
        return {"user": self._user.pw_uid, "group": self._user.pw_gid, "extra_groups": [], "cwd": str(self.root)}

    def _run(self, command: list[str]) -> None:
        result = subprocess.run(command, capture_output=True, text=True, timeout=START_TIMEOUT, **self._as_user())  # type: ignore[call-overload]
        if result.returncode != 0:
            raise RuntimeError(f"{Path(command[0]).name} failed ({result.returncode}): {result.stderr[-2000:]}")

    def _reachable_bindir(self) -> Path:
        """The binaries where they are if the server's user can run them there, else a copy of
        their installation (bin, lib, share) in the server's folder."""
        try:
            check = subprocess.run([str(self.bindir / "postgres"), "--version"], capture_output=True, check=False,
                                   **self._as_user())  # type: ignore[call-overload]  # fmt: skip
            if check.returncode == 0:
                return self.bindir
        except PermissionError:  # a folder on the way that user may not enter
            pass
        # pgserver's binaries find their libraries at $ORIGIN/../../../pgserver.libs: keep that layout.
        install, package, site = self.bindir.parent, self.bindir.parent.parent, self.bindir.parents[2]
        copy = self.root / "install"
        shutil.copytree(install, copy / package.name / install.name, symlinks=True)
        for libs in site.glob(f"{package.name}*.libs"):
            shutil.copytree(libs, copy / libs.name, symlinks=True)
        for path in [copy, *copy.rglob("*")]:
            with contextlib.suppress(OSError):
                path.chmod(path.stat().st_mode | 0o555 if path.is_dir() else path.stat().st_mode | 0o444)
        return copy / package.name / install.name / "bin"


def _unprivileged_user() -> pwd.struct_passwd:
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    raise RuntimeError("running as root with no 'postgres' or 'nobody' user to run PostgreSQL as")


def truncate(url: str) -> None:
    """Empty the stores' tables (not the schema version nor the shared salt)."""
    import psycopg

    with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as con:
        existing = {row[0] for row in con.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
        tables = [t for t in TABLES if t in existing]
        if tables:
            con.execute(f"TRUNCATE {', '.join(tables)} CASCADE")


# ---------------------------------------------------------------------- fixtures


def _unavailable(reason: str) -> NoReturn:
    if os.environ.get("CI"):
        pytest.fail(f"PostgreSQL is required in CI: {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL not available: {reason}")


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """One real PostgreSQL server for the whole session."""
    bindir = find_bindir()
    if bindir is None:
        _unavailable("no pgserver package (pip install -e '.[dev]') and no postgres binaries on PATH")
    try:
        server = PostgresServer(bindir).start()
    except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
        _unavailable(f"the server in {bindir} did not start: {exc}")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def pg_database(postgres: PostgresServer, request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh database for one test module; its SQLAlchemy URL."""
    url = postgres.create_database(request.module.__name__.rsplit(".", 1)[-1])
    try:
        yield url
    finally:
        from bot.database import _server_engines

        engine = _server_engines.pop(url, None)
        if engine is not None:
            engine.dispose()
        postgres.drop_database(url)
