#!/usr/bin/env python3
"""Writes tests/fixtures/office/: word processors' documents for test_doc_text and the seeds of
fuzz_office_text. Each file's XML is written here by hand, so what its text is (the test's
expectation) is known independently of the reader under test:

  text.docx     Word: a heading, paragraphs with a tab and a line break, a table, a deleted
                (tracked) run and a field code (both left out), a text box (mc:Choice read,
                mc:Fallback not)
  prefix.docx   the same kind of body with the namespace bound to another prefix ("x:")
  notes.docx    Word: footnotes and an endnote (word/footnotes.xml, word/endnotes.xml, their
                separator notes too), a mark whose note is missing
  tables.docx   Word: a table (a header row, a cell of two paragraphs and a line break, an empty
                cell, a table inside a cell) between two paragraphs
  empty.docx    a Word document without text
  doctype.docx  a document.xml with a DTD (refused: no entities)
  text.odt      OpenDocument: a heading, a paragraph with runs of spaces (text:s), a tab, a line
                break, a span, a comment (left out), a list
  notes.odt     OpenDocument: a footnote and an endnote where they are marked (text:note), one of
                two paragraphs
  tables.odt    OpenDocument: the same table (header rows, a covered cell of a merge)
  other.zip     a zip archive that is neither
Fixed timestamps, so running this again writes the same bytes."""
import os
import zipfile

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "office")
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
STAMP = (2026, 12, 6, 0, 0, 0)


def write_zip(name, entries):
    with zipfile.ZipFile(os.path.join(OUT, name), "w", zipfile.ZIP_DEFLATED) as z:
        for path, data in entries:
            info = zipfile.ZipInfo(path, STAMP)
            info.compress_type = zipfile.ZIP_STORED if path == "mimetype" else zipfile.ZIP_DEFLATED
            z.writestr(info, data)


CONTENT_TYPES = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                 '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                 '<Override PartName="/word/document.xml" ContentType="application/'
                 'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')


def docx(name, body, p="w", doctype="", parts=()):
    xml = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' + doctype +
           f'<{p}:document xmlns:{p}="{W}" xmlns:mc="{MC}"><{p}:body>{body}</{p}:body></{p}:document>')
    write_zip(name, [("[Content_Types].xml", CONTENT_TYPES), ("word/document.xml", xml)] + list(parts))


def notes_part(kind, notes):
    """word/footnotes.xml or word/endnotes.xml: Word's two separator notes, then (id, xml) each."""
    sep = "".join(f'<w:{kind} w:type="{t}" w:id="{i}"><w:p><w:r><w:separator/></w:r></w:p></w:{kind}>'
                  for i, t in ((-1, "separator"), (0, "continuationSeparator")))
    body = "".join(f'<w:{kind} w:id="{i}">{x}</w:{kind}>' for i, x in notes)
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:{kind}s xmlns:w="{W}">'
            f'{sep}{body}</w:{kind}s>')


def para(text, p="w"):
    return f"<{p}:p><{p}:r><{p}:t>{text}</{p}:t></{p}:r></{p}:p>"


def main():
    os.makedirs(OUT, exist_ok=True)
    body = (
        para("Quarterly report")
        + '<w:p><w:r><w:t xml:space="preserve">Sales rose </w:t></w:r><w:r><w:t>12%</w:t></w:r>'
          '<w:r><w:tab/><w:t>in Köln &amp; Zürich.</w:t></w:r></w:p>'
        + '<w:p><w:r><w:t>First line</w:t><w:br/><w:t>second line</w:t></w:r></w:p>'
        + '<w:p><w:del><w:r><w:delText>DELETED</w:delText></w:r></w:del>'
          '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGE </w:instrText></w:r>'
          '<w:r><w:t>Kept.</w:t></w:r></w:p>'
        + '<w:tbl><w:tr><w:tc>' + para("A1") + '</w:tc><w:tc>' + para("B1") + '</w:tc></w:tr></w:tbl>'
        + '<w:p><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:txbxContent>' + para("In a box.")
        + '</w:txbxContent></mc:Choice><mc:Fallback><w:txbxContent>' + para("In a box.")
        + '</w:txbxContent></mc:Fallback></mc:AlternateContent></w:r></w:p>'
        + para("مرحبا بالعالم")
    )
    docx("text.docx", body)
    docx("prefix.docx", para("Other prefix.", "x") + para("Same text.", "x"), p="x")
    ref = '<w:r><w:footnoteReference w:id="{}"/></w:r>'
    notes_body = (
        '<w:p><w:r><w:t>Water boils at 100 °C</w:t></w:r>' + ref.format(2)
        + '<w:r><w:t xml:space="preserve"> at sea level.</w:t></w:r></w:p>'
        + '<w:p><w:r><w:t>Second</w:t></w:r><w:r><w:endnoteReference w:id="1"/></w:r></w:p>'
        + '<w:p><w:r><w:t>Third</w:t></w:r>' + ref.format(5) + '<w:r><w:t>, fourth</w:t></w:r>'
        + ref.format(9) + '</w:p>'
    )
    mark = '<w:r><w:footnoteRef/></w:r>'
    docx("notes.docx", notes_body, parts=[
        ("word/footnotes.xml", notes_part("footnote", [
            (2, '<w:p>' + mark + '<w:r><w:t xml:space="preserve"> At standard pressure.</w:t></w:r></w:p>'),
            (5, '<w:p>' + mark + '<w:r><w:t>Line one.</w:t></w:r></w:p>' + para("Line two."))])),
        ("word/endnotes.xml", notes_part("endnote", [
            (1, '<w:p><w:r><w:endnoteRef/></w:r><w:r><w:t>An endnote.</w:t></w:r></w:p>')])),
    ])
    def tc(*paras):
        return "<w:tc>" + "".join(paras) + "</w:tc>"

    def tr(*cells):
        return "<w:tr>" + "".join(cells) + "</w:tr>"

    docx("tables.docx", para("Before") + "<w:tbl>"
         + tr(tc(para("Name")), tc(para("Qty")), tc(para("Note")))
         + tr(tc(para("Apples")), tc(para("3")),
              tc(para("Fresh"), '<w:p><w:r><w:t>from</w:t><w:br/><w:t>Köln</w:t></w:r></w:p>'))
         + tr(tc(para("Pears")), tc("<w:p/>"), tc("<w:tbl>" + tr(tc(para("x")), tc(para("y"))) + "</w:tbl>", "<w:p/>"))
         + "</w:tbl>" + para("After"))
    docx("empty.docx", "<w:p/><w:p><w:r><w:t>   </w:t></w:r></w:p>")
    docx("doctype.docx", para("&e;"), doctype='<!DOCTYPE d [<!ENTITY e "entity text">]>')

    office = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
    text = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="{office}" '
        f'xmlns:text="{text}"><office:body><office:text>'
        '<text:h text:outline-level="1">Minutes</text:h>'
        '<text:p>Present:<text:s text:c="3"/>Ana<text:tab/>Ben<text:line-break/>'
        '<text:span>and Chen</text:span>.<office:annotation><text:p>A COMMENT</text:p></office:annotation></text:p>'
        '<text:list><text:list-item><text:p>Item one</text:p></text:list-item>'
        '<text:list-item><text:p>Item two</text:p></text:list-item></text:list>'
        '</office:text></office:body></office:document-content>')
    write_zip("text.odt", [("mimetype", "application/vnd.oasis.opendocument.text"), ("content.xml", content)])
    notes = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="{office}" '
        f'xmlns:text="{text}"><office:body><office:text>'
        '<text:p>Water boils at 100 °C<text:note text:id="ftn1" text:note-class="footnote">'
        '<text:note-citation>1</text:note-citation><text:note-body><text:p>At standard pressure.</text:p>'
        '</text:note-body></text:note> at sea level.</text:p>'
        '<text:p>Second<text:note text:id="edn1" text:note-class="endnote"><text:note-citation>i'
        '</text:note-citation><text:note-body><text:p>Line one.</text:p><text:p>Line two.</text:p>'
        '</text:note-body></text:note></text:p>'
        '</office:text></office:body></office:document-content>')
    write_zip("notes.odt", [("mimetype", "application/vnd.oasis.opendocument.text"), ("content.xml", notes)])
    table_ns = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"

    def cell(*texts):
        return "<table:table-cell>" + "".join(f"<text:p>{t}</text:p>" for t in texts) + "</table:table-cell>"

    def row(*cells):
        return "<table:table-row>" + "".join(cells) + "</table:table-row>"

    tables = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="{office}" '
        f'xmlns:text="{text}" xmlns:table="{table_ns}"><office:body><office:text>'
        '<text:p>Before</text:p><table:table table:name="T1">'
        '<table:table-header-rows>' + row(cell("Name"), cell("Qty"), cell("Note")) + '</table:table-header-rows>'
        + row(cell("Apples"), cell("3"), cell("Fresh", "from<text:line-break/>Köln"))
        + row('<table:table-cell table:number-columns-spanned="2"><text:p>Pears, merged</text:p></table:table-cell>',
              '<table:covered-table-cell/>', cell("x"))
        + '</table:table><text:p>After</text:p>'
        '</office:text></office:body></office:document-content>')
    write_zip("tables.odt", [("mimetype", "application/vnd.oasis.opendocument.text"), ("content.xml", tables)])
    write_zip("other.zip", [("readme.txt", "not a document")])


if __name__ == "__main__":
    main()
