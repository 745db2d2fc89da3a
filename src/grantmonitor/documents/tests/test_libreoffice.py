"""The answer's DOCX opens in LibreOffice: converted by it to PDF, it still holds every figure."""

import shutil
import subprocess

import pytest

from grantmonitor.documents.render import render_answer
from grantmonitor.documents.tests.readers import COMPUTED, SEED_FIGURES, flat, pdf_text

pytestmark = pytest.mark.office


def test_libreoffice_opens_the_answer_docx_with_every_figure(demo, tmp_path):
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice is not installed (Debian package libreoffice-writer-nogui)"
    docx = tmp_path / "antwoord-418.docx"
    docx.write_bytes(render_answer(question=demo["question"], fmt="docx", language="nl").content)
    subprocess.run(  # noqa: S603 -- LibreOffice on our own file
        [
            soffice,
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(docx),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    text = pdf_text((tmp_path / "antwoord-418.pdf").read_bytes())
    missing = [figure for figure in [*SEED_FIGURES, *COMPUTED] if flat(figure) not in text]
    assert not missing
    assert "SCHRIFTELIJKE VRAAG" in text and "ANTWOORD" in text
