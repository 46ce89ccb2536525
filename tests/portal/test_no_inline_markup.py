"""The Content-Security-Policy forbids inline scripts and styles: no template may carry one."""

from __future__ import annotations

import re
from pathlib import Path

BASE = Path(__file__).resolve().parents[2]
INLINE = re.compile(
    r"""<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=|javascript:""", re.I
)


def test_no_template_has_inline_script_or_style():
    found = []
    for template in BASE.glob("**/templates/**/*.html"):
        if ".venv" in template.parts:
            continue
        for number, line in enumerate(template.read_text().splitlines(), 1):
            if INLINE.search(line) and not line.lstrip().startswith("{#"):
                found.append(f"{template.relative_to(BASE)}:{number}: {line.strip()}")
    assert found == []
