"""Translation catalogs: `compile` turns every coachos/locale/*/LC_MESSAGES/django.po into its .mo
(with Babel, so no system gettext is needed); `update` re-extracts the strings for es, fr and de
(Django's makemessages, which needs GNU gettext) and keeps what is already translated.

    python scripts/messages.py compile      # make run / make test do this
    python scripts/messages.py update       # after adding or changing user-facing strings
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "coachos" / "locale"
LANGUAGES = ("es", "fr", "de")
# What makemessages must not read: installed packages, collected static files, the tests and tools.
IGNORE = ("node_modules", "var", "tests", "bench", "scripts", "docs", ".venv")


def compile_all() -> int:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = 0
    for po in sorted(LOCALE.glob("*/LC_MESSAGES/django.po")):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as source:
            catalog = read_po(source, locale=po.parent.parent.name)
        with mo.open("wb") as target:
            write_mo(target, catalog, use_fuzzy=False)
        written += 1
    return written


def update() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coachos.settings")
    os.environ.setdefault("DEBUG", "1")
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("makemessages", locale=list(LANGUAGES), ignore_patterns=list(IGNORE), no_obsolete=True,
                 verbosity=0)


if __name__ == "__main__":
    action = sys.argv[1] if len(sys.argv) > 1 else "compile"
    if action == "update":
        update()
    elif action == "compile":
        compile_all()
    else:
        sys.exit(__doc__)
