#!/usr/bin/env python3
"""Dependency vulnerability audit of the installed `.venv` (docs/security.md, "Dependency audit").

    python3 deploy/dev.py audit   # installs .venv as `test` does, then runs this file inside it

There is no lock file: `deploy/dev.py` installs `pyproject.toml`'s ranges (with the dev extra) into `.venv`, so the
exact versions are those installed there, and that environment (what the tests run against) is what pip-audit
reads. pip-audit asks PyPI's vulnerability data about every installed distribution and writes JSON; `decide()`
turns that report into the verdict:

- a known vulnerability with a fixed version fails (exit 1), unless its id or an alias is in `audit-ignore.toml`
  beside this file, with the reason it is accepted;
- a vulnerability without a fixed version is printed and does not fail;
- when the service cannot be reached or gives no data, a warning is printed and the audit passes: an outage of
  PyPI must not turn CI red. Dependencies it could not look up are named.

The project itself is not on PyPI: it is installed editable and skipped (`--skip-editable`, and by name).
Standard library only, like dev.py; pip-audit runs as `python -m pip_audit` of the interpreter running this file.
"""

import importlib.util
import json
import re
import subprocess
import sys
import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IGNORE_FILE = Path(__file__).resolve().parent / "audit-ignore.toml"
PROJECT = "pilot-platform"
TIMEOUT_SECONDS = 600
# Skip reasons that do not mean "the service could not tell us": our own editable install.
EDITABLE = "distribution marked as editable"


def canonical(name: str) -> str:
    """PEP 503 name normalisation, so `Django`, `django` and `django_x` compare as pip does."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass
class Verdict:
    failed: bool = False
    lines: list[str] = field(default_factory=list)
    fixable: list[str] = field(default_factory=list)  # "name version id" of each failing vulnerability
    unfixable: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def load_ignores(path: Path = IGNORE_FILE) -> dict[str, str]:
    """{advisory id: reason}. Every entry needs an id and a non-empty reason; ids compare case-insensitively."""
    if not path.exists():
        return {}
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    ignores: dict[str, str] = {}
    for number, entry in enumerate(data.get("ignore", []), start=1):
        vuln_id = str(entry.get("id", "")).strip()
        reason = str(entry.get("reason", "")).strip()
        if not vuln_id or not reason:
            raise ValueError(f"{path.name}: entry {number} needs both `id` and a non-empty `reason`")
        ignores[vuln_id] = reason
    return ignores


def _summary(vuln: dict) -> str:
    text = " ".join(str(vuln.get("description") or "").split())
    return text if len(text) <= 160 else text[:157] + "…"


def decide(
    report: dict | None,
    ignores: dict[str, str],
    *,
    service_error: str | None = None,
    project: str = PROJECT,
) -> Verdict:
    """The audit's verdict on pip-audit's JSON report; `report` is None when pip-audit produced none."""
    verdict = Verdict()
    if report is None:
        verdict.warnings.append(
            "WARNING: the dependency audit could not be completed, the vulnerability service did not answer"
            + (f" ({service_error})" if service_error else "")
            + ". Nothing was audited; CI goes on. Run `python3 deploy/dev.py audit` again when PyPI is reachable."
        )
        verdict.lines.extend(verdict.warnings)
        return verdict

    spelled = {key.upper(): key for key in ignores}
    ignores = {key.upper(): reason for key, reason in ignores.items()}
    used_ignores: set[str] = set()
    audited = 0
    unaudited: list[str] = []
    for dependency in report.get("dependencies", []):
        name = canonical(dependency.get("name", ""))
        if name == canonical(project):
            continue
        if "skip_reason" in dependency:
            if dependency["skip_reason"] != EDITABLE:
                unaudited.append(name)
            continue
        audited += 1
        version = dependency.get("version", "?")
        for vuln in dependency.get("vulns", []):
            ids = [vuln.get("id", "?"), *vuln.get("aliases", [])]
            label = " / ".join(ids)
            where = f"{name} {version}: {label}"
            accepted = next((i for i in ids if i.upper() in ignores), None)
            fixes = vuln.get("fix_versions") or []
            if accepted:
                used_ignores.add(accepted.upper())
                verdict.ignored.append(f"{name} {version} {ids[0]}")
                verdict.lines.append(f"IGNORED  {where} (accepted: {ignores[accepted.upper()]})")
            elif fixes:
                verdict.failed = True
                verdict.fixable.append(f"{name} {version} {ids[0]}")
                verdict.lines.append(f"FIXABLE  {where}, fixed in {', '.join(fixes)}. {_summary(vuln)}")
            else:
                verdict.unfixable.append(f"{name} {version} {ids[0]}")
                verdict.lines.append(
                    f"NO FIX   {where}, no fixed release yet (reported, not failing). {_summary(vuln)}"
                )

    if audited == 0 and unaudited:
        verdict.warnings.append(
            f"WARNING: the vulnerability service had no data for any of the {len(unaudited)} dependencies "
            "(every lookup was refused or not found), so nothing was audited; CI goes on."
        )
    elif unaudited:
        verdict.warnings.append(
            f"WARNING: {len(unaudited)} dependencies could not be looked up and were not audited: "
            + ", ".join(sorted(unaudited))
        )
    if not unaudited:  # with lookups missing, an unused entry may just not have been looked up
        for stale in sorted(set(ignores) - used_ignores):
            verdict.warnings.append(f"NOTE: {spelled[stale]} in {IGNORE_FILE.name} is no longer reported; remove it.")
    verdict.lines.extend(verdict.warnings)
    if verdict.failed:
        outcome = "FAILED: upgrade the fixable ones, or accept one in deploy/audit-ignore.toml with its reason."
    elif audited == 0:
        outcome = "NOT AUDITED (see the warning above); not failing."
    else:
        outcome = "OK." + (f" ({len(unaudited)} not audited, see above)" if unaudited else "")
    verdict.lines.append(
        f"Dependency audit: {audited} audited, {len(verdict.fixable)} fixable, {len(verdict.unfixable)} without "
        f"a fix, {len(verdict.ignored)} ignored. {outcome}"
    )
    return verdict


def run_pip_audit(python: str = sys.executable) -> tuple[dict | None, str | None]:
    """(report, None), or (None, why) when pip-audit produced no report (service unreachable, timed out)."""
    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder) / "pip-audit.json"
        command = [
            python, "-m", "pip_audit",
            "--format", "json", "--output", str(output),
            "--skip-editable", "--progress-spinner", "off", "--desc", "on", "--aliases", "on",
        ]  # fmt: skip
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, cwd=ROOT)
        except subprocess.TimeoutExpired:
            return None, f"pip-audit took longer than {TIMEOUT_SECONDS} s"
        if done.returncode == 2:  # argparse: our invocation is wrong, which no outage explains
            raise RuntimeError(f"pip-audit refused its arguments: {done.stderr.strip()}")
        try:
            return json.loads(output.read_text(encoding="utf-8")), None
        except (OSError, ValueError):
            last = [line for line in (done.stderr or done.stdout).strip().splitlines() if line.strip()]
            return None, last[-1].strip() if last else f"pip-audit exited {done.returncode} without a report"


def main(argv: list[str]) -> int:
    if argv:
        print(__doc__)
        return 2
    if importlib.util.find_spec("pip_audit") is None:
        print("pip-audit is not installed in this environment; it is in the dev extra: python3 deploy/dev.py audit")
        return 2
    try:
        ignores = load_ignores()
    except (ValueError, tomllib.TOMLDecodeError) as error:
        print(f"Dependency audit: {error}")
        return 2
    print(f"Auditing the installed environment ({sys.prefix}) with pip-audit …", flush=True)
    try:
        report, error = run_pip_audit()
    except RuntimeError as refused:
        print(f"Dependency audit: {refused}")
        return 2
    verdict = decide(report, ignores, service_error=error)
    print("\n".join(verdict.lines), flush=True)
    return 1 if verdict.failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
