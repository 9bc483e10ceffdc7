#!/usr/bin/env python3
"""Bootstrap for a fresh machine that has only Python 3.11+.

    python3 deploy/dev.py demo   # install, start PostgreSQL + Celery + web, print URLs and logins
    python3 deploy/dev.py test   # install, run the whole test suite
    python3 deploy/dev.py audit  # install, audit .venv's dependencies for known vulnerabilities (deploy/audit.py)

Standard library only: it creates `.venv/`, installs the project into it when `pyproject.toml` changed since
the last install, and hands over to `manage.py`, pytest or `deploy/audit.py` inside that environment. Everything
else (embedded PostgreSQL, broker, tenants) is the project's own code, so the same steps work in CI and on a laptop.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
PYTHON = VENV / "bin" / "python"
STAMP = VENV / ".installed-from"


def _wanted_stamp() -> str:
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    return f"{digest} {sys.version_info[:2]}"


def ensure_environment() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - this file runs under whatever python3 the machine has
        sys.exit("Python 3.11 or newer is required.")
    if not PYTHON.exists():
        print("Creating .venv …", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    if STAMP.exists() and STAMP.read_text() == _wanted_stamp():
        return
    print("Installing the project and its dependencies into .venv …", flush=True)
    pip = [str(PYTHON), "-m", "pip", "--disable-pip-version-check", "-q"]
    # setuptools too: Python 3.11's venv seeds setuptools 65.5.0, which has known, fixed vulnerabilities (the
    # dependency audit, deploy/audit.py, audits everything in .venv). Nothing here needs pkg_resources at run time.
    subprocess.run([*pip, "install", "--upgrade", "pip", "setuptools"], check=True)
    subprocess.run([*pip, "install", "-e", f"{ROOT}[dev]"], check=True)
    STAMP.write_text(_wanted_stamp())


def demo_environment(environ: dict[str, str]) -> dict[str, str]:
    """The demo runs as production does, debug off (our own error pages, no settings on a crash); only the SMS
    outbox page, the one piece of developer tooling it needs, is switched on. An explicit choice in `environ` wins."""
    return {"PLATFORM_SMS_OUTBOX_VISIBLE": "1", **environ, "PYTHONUNBUFFERED": "1"}


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"demo", "test", "audit", "manage"}:
        print(__doc__)
        return 2
    ensure_environment()
    command, rest = argv[0], argv[1:]
    os.chdir(ROOT)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    if command == "demo":
        env = demo_environment(dict(os.environ))
        args = [str(PYTHON), "manage.py", "demo", *rest]
    elif command == "test":
        args = [str(PYTHON), "-m", "pytest", *rest]
    elif command == "audit":
        args = [str(PYTHON), str(ROOT / "deploy" / "audit.py"), *rest]
    else:
        args = [str(PYTHON), "manage.py", *rest]
    os.execve(args[0], args, env)
    return 0  # not reached


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
