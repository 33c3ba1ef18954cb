"""Every user-facing string has a Spanish, French and German translation (issue #12).

The strings are extracted from the code as `make messages`/`scripts/messages.py update` would (Django's
makemessages, into a temporary folder), then each catalog under coachos/locale must hold every one of
them: present, not fuzzy, every plural form filled, and the same placeholders as the English.
"""

from __future__ import annotations

import io
import os
import re
import shutil
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from django.core.management import call_command
from django.test import override_settings

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "coachos" / "locale"
LANGUAGES = ("es", "fr", "de")
IGNORE = ["node_modules", "var", "tests", "bench", "scripts", "docs", ".venv", "coachos/locale"]
PLACEHOLDER = re.compile(r"%\([a-zA-Z_0-9]+\)[sdif]|%[sdif]|\{[a-zA-Z_0-9]*\}")

# Extraction needs GNU gettext (xgettext); CI has it and must never skip this.
# makemessages writes temporary copies of the templates beside them: one worker runs it, once.
pytestmark = [pytest.mark.skipif(shutil.which("xgettext") is None and not os.environ.get("CI"),
                                 reason="GNU gettext is not installed"),
              pytest.mark.xdist_group("makemessages")]


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    folder = tmp_path_factory.mktemp("messages")
    with override_settings(LOCALE_PATHS=[str(folder)]):
        here = os.getcwd()
        os.chdir(ROOT)
        try:
            call_command("makemessages", locale=["xx"], ignore_patterns=IGNORE, keep_pot=True, verbosity=0)
        finally:
            os.chdir(here)
    # The template's header says "nplurals=INTEGER", which Babel will not read; the strings are what matter.
    text = (folder / "django.pot").read_bytes().replace(b"nplurals=INTEGER; plural=EXPRESSION;", b"nplurals=2; plural=(n != 1);")
    return read_po(io.BytesIO(text))


def _catalog(language: str) -> Catalog:
    path = LOCALE / language / "LC_MESSAGES" / "django.po"
    assert path.exists(), f"{path.relative_to(ROOT)} is missing"
    with path.open("rb") as po:
        return read_po(po, locale=language)


def _placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def test_the_extraction_finds_the_strings(extracted: Catalog) -> None:
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in extracted if m.id}
    # A control: strings we know are on the pages, so an extraction that finds nothing cannot pass.
    assert "Calendar" in ids and len(ids) > 1000


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_string_is_translated(extracted: Catalog, language: str) -> None:
    catalog = _catalog(language)
    missing, fuzzy, empty = [], [], []
    for message in extracted:
        if not message.id:
            continue
        found = catalog.get(message.id, context=message.context)
        name = message.id if isinstance(message.id, str) else message.id[0]
        where = f"{name[:60]!r} ({message.locations[0][0]}:{message.locations[0][1]})" if message.locations \
            else repr(name[:60])
        if found is None:
            missing.append(where)
        elif found.fuzzy:
            fuzzy.append(where)
        elif not found.string or (not isinstance(found.string, str) and not all(found.string)):
            empty.append(where)
    assert not missing, f"{language}: {len(missing)} strings have no entry, e.g. {missing[:5]}"
    assert not fuzzy, f"{language}: {len(fuzzy)} entries are fuzzy, e.g. {fuzzy[:5]}"
    assert not empty, f"{language}: {len(empty)} entries are untranslated, e.g. {empty[:5]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_the_placeholders(language: str) -> None:
    wrong = []
    for message in _catalog(language):
        if not message.id or not message.string:
            continue
        if isinstance(message.id, str):
            if _placeholders(message.id) != _placeholders(str(message.string)):
                wrong.append(message.id[:60])
        else:
            singular, plural = message.id
            expected = {p for p in _placeholders(singular) + _placeholders(plural)}
            for form in message.string:
                # A singular form may leave out the number ("Un client"), never invent a placeholder.
                if not set(_placeholders(form)) <= expected:
                    wrong.append(singular[:60])
    assert not wrong, f"{language}: placeholders differ from the English in {wrong[:5]}"
