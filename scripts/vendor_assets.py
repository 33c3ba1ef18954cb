"""Copy the npm packages the pages use into coachos/static/vendor (served by the app itself)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FILES = {
    "node_modules/htmx.org/dist/htmx.min.js": "htmx.min.js",
    "node_modules/@picocss/pico/css/pico.jade.min.css": "pico.min.css",
    "node_modules/fullcalendar/index.global.min.js": "fullcalendar.min.js",
    "node_modules/chart.js/dist/chart.umd.min.js": "chart.umd.min.js",
}


def main() -> int:
    target = ROOT / "coachos" / "static" / "vendor"
    target.mkdir(parents=True, exist_ok=True)
    for source, name in FILES.items():
        path = ROOT / source
        if not path.exists():
            print(f"missing {source}: run npm ci first", file=sys.stderr)
            return 1
        shutil.copyfile(path, target / name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
