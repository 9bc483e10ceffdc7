"""The layer contracts of pyproject.toml ([tool.importlinter]) hold: `tenants` at the base, then `shared_apps`,
`tenant_apps`, `cms` and `config`; inside `tenant_apps` the workflow engine below its consumers."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _lint_imports() -> str:
    """The console script of the interpreter running the suite (the project's venv), else the one on PATH."""
    script = Path(sys.executable).with_name("lint-imports")
    return str(script) if script.exists() else shutil.which("lint-imports") or "lint-imports"


def test_import_layers_hold():
    result = subprocess.run(
        [_lint_imports(), "pyproject.toml", "--no-cache", "--no-logo"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
