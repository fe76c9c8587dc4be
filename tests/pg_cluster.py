"""A throwaway PostgreSQL cluster for the store tests: `initdb` in a temp dir, served on 127.0.0.1.

Debian's server binaries live under /usr/lib/postgresql/<major>/bin (not on PATH); `.ci/run`
installs the package when they are missing. Postgres refuses to run as root, so under root the
cluster belongs to, and runs as, the `postgres` user (else `nobody`). Local socket logins are
trusted (admin work); TCP logins need the password (scram), as Lakebase does.
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

import psycopg
from psycopg import sql

ADMIN_PASSWORD = "pg-admin-" + secrets.token_hex(6)


def find_bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _as_owner() -> tuple[Callable[[], None] | None, int | None, int | None]:
    if os.geteuid() != 0:
        return None, None, None
    try:
        user = pwd.getpwnam("postgres")
    except KeyError:
        user = pwd.getpwnam("nobody")
    uid, gid = user.pw_uid, user.pw_gid

    def drop() -> None:
        os.setgid(gid)
        os.setuid(uid)

    return drop, uid, gid


class PgCluster:
    """One cluster: `start`/`stop` it (again), `fresh_database()` for a test, `admin(sql)` as superuser."""

    def __init__(self) -> None:
        initdb = find_bin("initdb")
        if initdb is None:
            raise RuntimeError("initdb not found: install Debian's postgresql package (.ci/run does)")
        self.bin = Path(initdb).parent
        # Its own directory under /tmp: pytest's temp dirs are private to root, and the server's user
        # must reach its data directory.
        self.root = root = Path(tempfile.mkdtemp(prefix="mas-pg-"))
        self.data = root / "data"
        self.port = _free_port()
        self._drop, uid, gid = _as_owner()
        pwfile = root / "pw"
        pwfile.write_text(ADMIN_PASSWORD + "\n")
        if uid is not None and gid is not None:
            os.chown(root, uid, gid)
            os.chown(pwfile, uid, gid)
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            "postgres",
            f"--pwfile={pwfile}",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "-E",
            "UTF8",
            "--no-sync",
        )
        self._databases = 0

    def _run(self, tool: str, *args: str) -> None:
        done = subprocess.run(
            [str(self.bin / tool), *args],
            preexec_fn=self._drop,
            cwd=self.root,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=120,
        )
        if done.returncode != 0:
            raise RuntimeError(f"{tool} failed: {done.stderr.decode(errors='replace')}")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "log"), "-o", options, "-w", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        """Stop if running, then delete the cluster's files."""
        status = subprocess.run(
            [str(self.bin / "pg_ctl"), "-D", str(self.data), "status"],
            preexec_fn=self._drop,
            capture_output=True,
        )
        if status.returncode == 0:
            self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def admin(self, statement: str | sql.Composable, *, dbname: str = "postgres") -> None:
        with psycopg.connect(
            host=str(self.root), port=self.port, user="postgres", dbname=dbname, autocommit=True
        ) as conn:
            conn.execute(statement if isinstance(statement, sql.Composable) else sql.SQL(statement))  # type: ignore[arg-type]

    def set_password(self, role: str, password: str) -> None:
        """Create `role` if needed and set its password (utility statements take no parameters)."""
        name, secret = sql.Identifier(role), sql.Literal(password)
        self.admin(
            sql.SQL(
                "DO $$ BEGIN CREATE ROLE {} LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$"
            ).format(name)
        )
        self.admin(sql.SQL("ALTER ROLE {} PASSWORD {}").format(name, secret))

    def grant_database(self, role: str, database: str) -> None:
        self.admin(
            sql.SQL("ALTER DATABASE {} OWNER TO {}").format(sql.Identifier(database), sql.Identifier(role))
        )

    def fresh_database(self) -> str:
        self._databases += 1
        name = f"t{self._databases}_{secrets.token_hex(3)}"
        self.admin(f'CREATE DATABASE "{name}"')
        return name

    def url(self, database: str, *, user: str = "postgres", password: str = ADMIN_PASSWORD) -> str:
        return f"postgresql://{user}:{password}@127.0.0.1:{self.port}/{database}"
