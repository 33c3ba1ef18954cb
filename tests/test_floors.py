"""The floors (docs/architecture.md, "Floors"): a lower app never imports a higher one, and the modules
of an app import each other without cycles. The contracts are in pyproject.toml ([tool.importlinter]);
import-linter reads every import, also those inside functions."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


def contracts() -> list[dict[str, object]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return config["tool"]["importlinter"]["contracts"]


def test_no_app_imports_a_higher_floor_and_no_app_has_an_import_cycle():
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True,
                            timeout=300, check=False)
    assert result.returncode == 0, result.stdout[result.stdout.find("Broken contracts"):] or result.stderr
    assert "Contracts: 2 kept, 0 broken." in result.stdout


def test_every_app_stands_on_a_floor_and_is_checked_for_cycles():
    """A new app must be placed on a floor (and so is checked) before it can land."""
    apps = {app for app in settings.INSTALLED_APPS if app.startswith("coachos.")}
    by_type = {contract["type"]: contract for contract in contracts()}
    assert set(by_type["layers"]["layers"]) == apps
    assert set(by_type["acyclic_siblings"]["ancestors"]) == apps
    assert by_type["layers"]["layers"][0] == "coachos.site"  # the top: nothing imports it
    assert by_type["layers"]["layers"][-1] == "coachos.common"
