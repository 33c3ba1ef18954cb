"""`make run` serves with DEBUG off unless the developer asks (issue #21): no anonymous visitor sees
Django's debug page. Without DEBUG the server needs a SECRET_KEY of its own: run.sh makes one under
var/ once and keeps it; static files are served from the manifest by WhiteNoise.

scripts/run.sh runs for real in a copy of its layout, with stand-in servers that write down the
environment they were started with (as tests/test_run_script.py does for Ctrl+C)."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client as DjangoClient

from coachos.common.secret_key import DEV_SECRET_KEY
from tests.test_production import HASHED_HTMX, collected, production  # noqa: F401 (fixtures)

ROOT = Path(__file__).resolve().parents[2]
STAND_IN = "#!/usr/bin/env bash\nenv > \"$(dirname \"$0\")/$(basename \"$0\").env\"\nexec sleep 60\n"

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


def run_script(tmp_path: Path, **env_extra: str) -> tuple[str, dict[str, str]]:
    """The banner run.sh prints and the environment uvicorn was started with."""
    (tmp_path / "scripts").mkdir(exist_ok=True)
    shutil.copy(ROOT / "scripts" / "run.sh", tmp_path / "scripts" / "run.sh")
    bin_dir = tmp_path / ".venv" / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    for name in ("celery", "uvicorn"):
        (bin_dir / name).write_text(STAND_IN)
        (bin_dir / name).chmod(0o755)
        (bin_dir / f"{name}.env").unlink(missing_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "LOG_FORMAT"}}
    env.update({"PORT": "0", "VAR_DIR": str(tmp_path / "var"), **env_extra})
    proc = subprocess.Popen(["bash", "scripts/run.sh"], cwd=tmp_path, env=env, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    assert proc.stdout is not None
    banner: list[str] = []
    try:
        for line in proc.stdout:
            banner.append(line)
            if "Press Ctrl+C to stop." in line:
                break
        os.killpg(proc.pid, signal.SIGINT)
        proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
    lines = (bin_dir / "uvicorn.env").read_text().splitlines()
    return "".join(banner), dict(line.split("=", 1) for line in lines if "=" in line)


def test_make_run_serves_without_debug_and_with_a_key_of_its_own(tmp_path: Path) -> None:
    banner, env = run_script(tmp_path)
    assert env["DEBUG"] == "0"
    key = env["SECRET_KEY"]
    assert len(key) >= 50 and key != DEV_SECRET_KEY
    key_file = tmp_path / "var" / "secret_key"
    assert key_file.read_text() == key and (key_file.stat().st_mode & 0o777) == 0o600
    assert env["LOG_FORMAT"] == "text" and env["PAYMENTS_TEST_MODE"] == "1"
    assert "owner@northside.example" in banner and "client@northside.example" in banner  # demo logins
    assert "Debug pages are off (make run DEBUG=1 turns them on)." in banner
    # The next start keeps the key: sign-ins survive a restart.
    assert run_script(tmp_path)[1]["SECRET_KEY"] == key


def test_make_run_debug_1_is_asked_for(tmp_path: Path) -> None:
    banner, env = run_script(tmp_path, DEBUG="1")
    assert env["DEBUG"] == "1" and "SECRET_KEY" not in env
    assert "Debug pages are on" in banner


def test_a_key_in_the_environment_wins(tmp_path: Path) -> None:
    assert run_script(tmp_path, SECRET_KEY="k" * 60)[1]["SECRET_KEY"] == "k" * 60
    assert not (tmp_path / "var" / "secret_key").exists()


def test_the_makefile_collects_static_files_the_way_the_server_runs() -> None:
    """collectstatic with the same DEBUG as the server: without DEBUG the pages name the manifest's
    hashed files, and a collection made with DEBUG=1 has no manifest (every page would be a 500)."""
    makefile = (ROOT / "Makefile").read_text()
    run_target = re.search(r"^run: .*?(?=^\S)", makefile, re.M | re.S)
    assert run_target is not None
    assert "DEBUG=$(DEBUG) $(PY) manage.py collectstatic" in run_target.group(0)
    assert "DEBUG=1" not in run_target.group(0)


@pytest.mark.django_db
def test_without_debug_static_files_are_served_and_errors_show_no_debug_page(production: Path) -> None:  # noqa: F811
    assert settings.DEBUG is False
    visitor = DjangoClient(raise_request_exception=False)
    page = visitor.get("/accounts/login/")
    found = HASHED_HTMX.search(page.content.decode())
    assert found is not None
    static = visitor.get(found.group(0))
    assert static.status_code == 200
    assert b"htmx" in b"".join(static.streaming_content)  # type: ignore[attr-defined]
    missing = visitor.get("/no/such/page/")
    assert missing.status_code == 404
    html = missing.content.decode()
    assert "DEBUG = True" not in html and "Traceback" not in html and "URLconf" not in html
