"""Copy the npm packages the pages use into coachos/static/vendor (served by the app itself).

A file that names a source map (``//# sourceMappingURL=x.map`` or ``/*# sourceMappingURL=x.map */``)
gets its map copied beside it: production's manifest storage follows those references, and a
missing map stops ``collectstatic`` (then every page answers 500).
"""

from __future__ import annotations

import re
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


SOURCE_MAP = re.compile(rb"[/][/*]# sourceMappingURL=([^\s*]+)")


def source_maps(path: Path) -> list[str]:
    """The relative source-map files ``path`` refers to (data: URLs need no file)."""
    return [m.decode() for m in SOURCE_MAP.findall(path.read_bytes()) if not m.startswith(b"data:")]


def main() -> int:
    target = ROOT / "coachos" / "static" / "vendor"
    target.mkdir(parents=True, exist_ok=True)
    for source, name in FILES.items():
        path = ROOT / source
        if not path.exists():
            print(f"missing {source}: run npm ci first", file=sys.stderr)
            return 1
        shutil.copyfile(path, target / name)
        for map_name in source_maps(path):
            map_path = path.parent / map_name
            if Path(map_name).name != map_name or not map_path.exists():
                print(f"{source} names the source map {map_name}, which is not in the package", file=sys.stderr)
                return 1
            # The map keeps its name next to the renamed file: the reference inside stays right.
            shutil.copyfile(map_path, target / map_name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
