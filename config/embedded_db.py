"""The private PostgreSQL a laptop or CI machine gets when `DATABASE_URL` is unset (ADR 0001).

`pgserver` ships PostgreSQL binaries in a wheel, so nothing but Python is needed. The server keeps its data in
`var/postgres/` inside the project and listens only on a Unix socket in that folder. Every process that loads the
settings (web, Celery worker, beat, tests) takes a handle; the server stops when the last handle goes away.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from urllib.parse import quote


def embedded_database_url(data_dir: Path, database: str) -> str:
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(data_dir.parent))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgserver

        server = pgserver.get_server(data_dir, cleanup_mode="stop")
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")
    if "(1 row)" not in exists:
        server.psql(f'CREATE DATABASE "{database}";')
    # Keep a reference so the handle lives as long as the process.
    _HANDLES.append(server)
    return f"postgresql://postgres@{quote(str(data_dir), safe='')}/{database}"


_HANDLES: list[object] = []
