"""The documents compile with a real TeX installation: every catalogue entry in one standalone article,
the lecture's deck in English and in Korean (kotex, pdfLaTeX), and the comparison table.

Skipped only where latexmk/pdflatex are absent; CI installs them (.ci/run), so there they run.  Where TeX is
installed the PDF's text is read with pdftotext (poppler-utils, installed with TeX) and must say what it should.
"""

from __future__ import annotations

import pytest

from symdl.catalog import CATALOGUE
from symdl.render.formats import render
from symdl.render.notation import Style
from tests.conftest import LECTURE, TEX, compile_pdf, text_of

pytestmark = pytest.mark.skipif(not TEX, reason="latexmk and pdflatex are not installed")


@pytest.mark.slow
def test_standalone_with_every_activation(tmp_path):
    log = compile_pdf(tmp_path, "all", render([a.name for a in CATALOGUE], "standalone"))
    assert "Overfull" not in log


def test_beamer_deck_in_english(tmp_path):
    log = compile_pdf(tmp_path, "lecture_en", render(LECTURE, "beamer"))
    assert "Overfull" not in log
    pdf_text = text_of(tmp_path / "lecture_en.pdf")
    assert "Activation functions - Sigmoid" in pdf_text


def test_beamer_deck_in_korean(tmp_path):
    log = compile_pdf(tmp_path, "lecture_ko", render(LECTURE, "beamer", Style(lang="ko")))
    assert "Overfull" not in log
    pdf_text = text_of(tmp_path / "lecture_ko.pdf")  # the Korean really is in the PDF, not boxes
    assert "활성화 함수의 종류 - Sigmoid" in pdf_text and "미분 계산" in pdf_text


def test_comparison_table(tmp_path):
    log = compile_pdf(tmp_path, "table", render([a.name for a in CATALOGUE], "standalone", only_table=True))
    assert "Overfull" not in log
