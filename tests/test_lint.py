"""Lint and formatting are part of the suite, so the README's one test command covers them."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _ruff(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ruff", *args], cwd=ROOT, capture_output=True, text=True)


def test_ruff_finds_nothing():
    result = _ruff("check", ".")
    assert result.returncode == 0, result.stdout


def test_code_is_formatted():
    result = _ruff("format", "--check", ".")
    assert result.returncode == 0, result.stdout


def test_platform_folder_is_not_a_python_package():
    assert not (ROOT / "platform" / "__init__.py").exists()
