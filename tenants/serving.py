"""The web server of `manage.py demo` and of the load test: waitress, as production serves (a bounded pool of
threads, static files by WhiteNoise inside the WSGI application), not Django's development server, which starts a
thread per request and so opens a database connection per concurrent client."""

from __future__ import annotations

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.db import connection


def web_server(host: str, port: int | str, **overrides):
    """A waitress server bound to host:port (port 0 picks a free one; read `server.effective_port`); `.run()` serves
    until interrupted. Connections beyond the limit wait in the listen backlog instead of failing."""
    from waitress import create_server

    options = {
        "threads": settings.WEB_THREADS,
        "connection_limit": settings.WEB_CONNECTION_LIMIT,
        "channel_timeout": 30,
        "ident": "pilot",
        **overrides,
    }
    return create_server(get_wsgi_application(), host=host, port=int(port), **options)


def database_capacity_problem(processes: int = 3) -> str | None:
    """Why pool size × processes (web, Celery worker, beat) would not fit under PostgreSQL's max_connections, if so."""
    if settings.DB_POOL_MAX <= 0:
        return None
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_connections")
        limit = int(cursor.fetchone()[0])
    needed = settings.DB_POOL_MAX * processes
    if needed >= limit:
        return f"PLATFORM_DB_POOL_MAX={settings.DB_POOL_MAX} × {processes} processes needs {needed} connections; max_connections is {limit}."
    return None
