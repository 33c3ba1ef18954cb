"""`make run` stops cleanly on Ctrl+C: scripts/run.sh traps SIGINT, stops both servers and exits 0.

The script runs for real in a copy of its directory layout where the two servers are stand-ins
(`.venv/bin/celery` and `.venv/bin/uvicorn` that record their pid and wait), started through make
as `make run` does, and the whole process group gets SIGINT as a terminal's Ctrl+C would send it.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STAND_IN = "#!/usr/bin/env bash\necho $$ > \"$(dirname \"$0\")/$(basename \"$0\").pid\"\nexec sleep 60\n"

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


def _tree(tmp_path: Path) -> Path:
    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "run.sh", tmp_path / "scripts" / "run.sh")
    bin_dir = tmp_path / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    for name in ("celery", "uvicorn"):
        (bin_dir / name).write_text(STAND_IN)
        (bin_dir / name).chmod(0o755)
    (tmp_path / "Makefile").write_text("run:\n\t@bash scripts/run.sh\n")
    return bin_dir


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_syntax() -> None:
    assert subprocess.run(["bash", "-n", str(ROOT / "scripts" / "run.sh")], check=False).returncode == 0


def test_ctrl_c_stops_both_servers_and_make_reports_no_error(tmp_path: Path) -> None:
    bin_dir = _tree(tmp_path)
    env = {**os.environ, "PORT": "0", "VAR_DIR": str(tmp_path)}
    # A terminal's foreground job has SIGINT at its default; pytest's may not, so restore it.
    proc = subprocess.Popen(
        ["make", "--no-print-directory", "run"], cwd=tmp_path, env=env, start_new_session=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    assert proc.stdout is not None
    seen: list[str] = []
    try:
        for line in proc.stdout:  # the banner's last line means both servers were started
            seen.append(line)
            if "Press Ctrl+C to stop." in line:
                break
        assert any("Press Ctrl+C" in line for line in seen), "".join(seen)
        pids = [int((bin_dir / f"{name}.pid").read_text()) for name in ("celery", "uvicorn")]
        os.killpg(proc.pid, signal.SIGINT)
        rest, _ = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
    output = "".join(seen) + rest
    assert "Error" not in output and "make: ***" not in output, output
    assert "Coach OS stopped." in output
    assert not any(_alive(pid) for pid in pids)  # the script waits for them before it exits


def test_script_exits_zero_on_sigint(tmp_path: Path) -> None:
    _tree(tmp_path)
    env = {**os.environ, "PORT": "0", "VAR_DIR": str(tmp_path)}
    proc = subprocess.Popen(
        ["bash", "scripts/run.sh"], cwd=tmp_path, env=env, start_new_session=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    assert proc.stdout is not None
    try:
        for line in proc.stdout:
            if "Press Ctrl+C to stop." in line:
                break
        os.killpg(proc.pid, signal.SIGINT)
        proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
    assert proc.returncode == 0
