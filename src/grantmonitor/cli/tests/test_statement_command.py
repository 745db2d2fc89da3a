from grantmonitor.cli.main import main
from grantmonitor.documents.tests.readers import docx_text, flat, pdf_text


def test_statement_of_hefboom_as_pdf_and_docx(demo, tmp_path):
    pdf, docx = tmp_path / "hefboom.pdf", tmp_path / "hefboom.docx"
    assert main(["statement", "Hefboom", "--format", "pdf", "-o", str(pdf)]) == 0
    assert main(["statement", "hefboom", "--format", "docx", "-o", str(docx)]) == 0
    for text in (pdf_text(pdf.read_bytes()), docx_text(docx.read_bytes())):
        for figure in ("€ 300.000,00", "€ 299.168,12", "€ 831,88", "€ 59.168,12"):
            assert flat(figure) in text


def test_unknown_project_is_a_clear_error(demo, capsys):
    assert main(["statement", "Onbekend"]) == 2
    assert "Onbekend" in capsys.readouterr().err
