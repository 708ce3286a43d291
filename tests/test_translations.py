"""The German catalogue is complete: every string in the code and templates is translated."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT / "advocacy" / "translations" / "de" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{company\}")


def _extracted(tmp_path: Path) -> set[str]:
    pot = tmp_path / "messages.pot"
    # Babel skips folders starting with "_" by default; templates/_partials must not be.
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F",
                    "babel.cfg", "-k", "_l", "-k", "lazy_gettext", "--ignore-dirs",
                    ".* __pycache__", "-o", str(pot), "."],
                   cwd=ROOT, check=True, capture_output=True)
    with pot.open("rb") as handle:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}


def _catalog():
    with CATALOG.open("rb") as handle:
        return read_po(handle)


def test_every_ui_string_has_a_german_translation(tmp_path):
    catalog = _catalog()
    translated = {
        (m.id if isinstance(m.id, str) else m.id[0])
        for m in catalog
        if m.id and not m.fuzzy and (all(m.string) if isinstance(m.string, tuple) else m.string)
    }
    missing = sorted(_extracted(tmp_path) - translated)
    assert missing == [], "run `pybabel update` and translate: " + "; ".join(missing[:10])


def test_translations_keep_their_placeholders():
    for message in _catalog():
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = set(PLACEHOLDER.findall(ids[-1]))
        for string in strings:
            assert set(PLACEHOLDER.findall(string)) == expected, message.id


def test_german_pages_use_the_formal_address():
    text = CATALOG.read_text("utf-8")
    strings = " ".join(re.findall(r'^msgstr(?:\[\d\])? "(.*)"$', text, re.MULTILINE))
    assert not re.search(r"\b(du|dein|deine|dich|dir)\b", strings, re.IGNORECASE)
