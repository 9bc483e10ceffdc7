"""PostgreSQL restarts under load: how long until the web answers again? (issue #17, "Faults survived")

    .venv/bin/python bench/db_restart.py [--rounds 3]

Starts a PostgreSQL of its own in a temporary folder (the embedded server's binaries; DATABASE_URL is not used),
migrates the shared schema, serves the platform with waitress in a separate process and restarts PostgreSQL
(`pg_ctl restart -m fast`) while three clients request `/readyz` and the console's sign-in page. Prints, per
round, the seconds until both answer 200 again and the requests that failed otherwise (500s, no answer) after
PostgreSQL was back; the baseline is the restart itself (`pg_ctl` from stop to accepting), measured in the same
run. Twice: with the settings as they are (CONN_HEALTH_CHECKS on) and with the pool's check switched off (before).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.test_db_restart import private_postgres, restart_under_load, web_process  # noqa: E402

BEFORE = """from config.settings import *  # noqa: F403
DATABASES["default"]["CONN_HEALTH_CHECKS"] = False  # noqa: F405
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    before_dir = Path(tempfile.mkdtemp(prefix="pilot-restart-settings-"))
    (before_dir / "restart_before_settings.py").write_text(BEFORE)
    modes = {
        "CONN_HEALTH_CHECKS on (now)": {},
        "CONN_HEALTH_CHECKS off (before)": {
            "DJANGO_SETTINGS_MODULE": "restart_before_settings",
            "PYTHONPATH": f"{before_dir}:{ROOT}",
        },
    }
    with private_postgres() as postgres:
        for label, env in modes.items():
            with web_process(postgres, **env) as port:
                rounds = [restart_under_load(postgres, port, limit=60) for _ in range(args.rounds)]
            back = [max(r["ready"], r["page"]) for r in rounds]
            restart = [r["restart"] for r in rounds]
            errors = [r["errors_after_restart"] for r in rounds]
            print(
                f"{label}: answering again after {statistics.median(back):.2f} s median "
                f"(max {max(back):.2f} s; rounds {', '.join(f'{b:.2f}' for b in back)}); "
                f"failed requests after the restart {errors}; restart itself {statistics.median(restart):.2f} s "
                f"→ ratio {statistics.median(back) / statistics.median(restart):.2f}"
            )


if __name__ == "__main__":
    main()
