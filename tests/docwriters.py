"""Writers of small but real documents of every format wcindex extracts,
each from a list of paragraphs (str): the documents of the scan-level
tests (tests/gen-docs.py) and of the benchmark's document corpus
(bench/gendocs.py).  Each returns the bytes of the file."""
import io, zipfile
from xml.sax.saxutils import escape

CT = 'http://schemas.openxmlformats.org/package/2006/content-types'
W = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main'
A = 'http://schemas.openxmlformats.org/drawingml/2006/main'
P = 'http://schemas.openxmlformats.org/presentationml/2006/main'
TXT = 'urn:oasis:names:tc:opendocument:xmlns:text:1.0'
OFF = 'urn:oasis:names:tc:opendocument:xmlns:office:1.0'
REL_NS = 'http://schemas.openxmlformats.org/package/2006/relationships'
OFFICE_DOC = ('http://schemas.openxmlformats.org/officeDocument/2006/'
              'relationships/officeDocument')
RELS_TYPE = ('<Default Extension="rels" ContentType="application/'
             'vnd.openxmlformats-package.relationships+xml"/>')


def rels(target):
    """_rels/.rels naming the main part, as readers such as pandoc want."""
    return ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="%s">'
            '<Relationship Id="rId1" Type="%s" Target="%s"/></Relationships>'
            % (REL_NS, OFFICE_DOC, target))


def zipped(parts, first=None):
    """A zip of (name, str or bytes) parts, deflated; first, stored, leads."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, 'w', zipfile.ZIP_DEFLATED) as z:
        if first:
            z.writestr(zipfile.ZipInfo(first[0]), first[1],
                       compress_type=zipfile.ZIP_STORED)
        for name, data in parts:
            z.writestr(name, data)
    return buf.getvalue()


def html(paras, title='not counted'):
    body = ''.join('<p>%s</p>\n' % escape(p) for p in paras)
    return ('<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>%s'
            '</title></head><body>\n%s</body></html>\n'
            % (escape(title), body)).encode()


def docx_xml(body_xml):
    """A docx whose w:body holds body_xml."""
    types = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="%s">'
             '<Default Extension="xml" ContentType="application/xml"/>%s'
             '<Override PartName="/word/document.xml" ContentType="'
             'application/vnd.openxmlformats-officedocument.'
             'wordprocessingml.document.main+xml"/></Types>' % (CT, RELS_TYPE))
    doc = ('<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="%s">'
           '<w:body>%s</w:body></w:document>' % (W, body_xml))
    return zipped([('[Content_Types].xml', types),
                   ('_rels/.rels', rels('word/document.xml')),
                   ('word/document.xml', doc)])


def docx(paras):
    return docx_xml(''.join(
        '<w:p><w:r><w:t xml:space="preserve">%s</w:t></w:r></w:p>'
        % escape(p) for p in paras))


def pptx(slides):
    """A pptx of slides, each a list of paragraphs."""
    over = ''.join('<Override PartName="/ppt/slides/slide%d.xml" ContentType='
                   '"application/vnd.openxmlformats-officedocument.'
                   'presentationml.slide+xml"/>' % (i + 1)
                   for i in range(len(slides)))
    types = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="%s">'
             '<Override PartName="/ppt/presentation.xml" ContentType="'
             'application/vnd.openxmlformats-officedocument.presentationml.'
             'presentation.main+xml"/>%s</Types>' % (CT, over))
    parts = [('[Content_Types].xml', types),
             ('_rels/.rels', rels('ppt/presentation.xml')),
             ('ppt/presentation.xml', '<p:presentation xmlns:p="%s"/>' % P)]
    for i, paras in enumerate(slides):
        text = ''.join('<a:p><a:r><a:t>%s</a:t></a:r></a:p>' % escape(p)
                       for p in paras)
        parts.append(('ppt/slides/slide%d.xml' % (i + 1),
                      '<p:sld xmlns:p="%s" xmlns:a="%s"><p:cSld><p:spTree>'
                      '<p:sp><p:txBody>%s</p:txBody></p:sp></p:spTree>'
                      '</p:cSld></p:sld>' % (P, A, text)))
    return zipped(parts)


def odf_xml(mime, body_xml):
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-'
               'content xmlns:office="%s" xmlns:text="%s"><office:body>%s'
               '</office:body></office:document-content>'
               % (OFF, TXT, body_xml))
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:'
                'manifest:1.0"><manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="%s"/></manifest:manifest>' % mime)
    return zipped([('content.xml', content),
                   ('META-INF/manifest.xml', manifest)],
                  first=('mimetype', mime))


def odt(paras):
    return odf_xml('application/vnd.oasis.opendocument.text',
                   '<office:text>%s</office:text>' % ''.join(
                       '<text:p>%s</text:p>' % escape(p) for p in paras))


def odp(paras):
    return odf_xml('application/vnd.oasis.opendocument.presentation',
                   '<office:presentation>%s</office:presentation>' % ''.join(
                       '<text:p>%s</text:p>' % escape(p) for p in paras))


def epub(chapters, spine=None):
    """An EPUB 3 of chapters (lists of paragraphs), in OEBPS/; spine lists
    the chapter numbers in reading order (default: each once)."""
    spine = spine if spine is not None else list(range(len(chapters)))
    container = ('<?xml version="1.0"?><container version="1.0" xmlns="urn:'
                 'oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
                 '<rootfile full-path="OEBPS/content.opf" media-type='
                 '"application/oebps-package+xml"/></rootfiles></container>')
    items = ''.join('<item id="c%d" href="text/c%d.xhtml" media-type='
                    '"application/xhtml+xml"/>' % (i, i)
                    for i in range(len(chapters)))
    refs = ''.join('<itemref idref="c%d"/>' % i for i in spine)
    opf = ('<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/'
           'opf" version="3.0" unique-identifier="id"><metadata xmlns:dc='
           '"http://purl.org/dc/elements/1.1/"><dc:identifier id="id">'
           'urn:uuid:00000000-0000-0000-0000-000000000000</dc:identifier>'
           '<dc:title>t</dc:title><dc:language>en</dc:language></metadata>'
           '<manifest>%s</manifest><spine>%s</spine></package>'
           % (items, refs))
    parts = [('META-INF/container.xml', container), ('OEBPS/content.opf', opf)]
    for i, paras in enumerate(chapters):
        body = ''.join('<p>%s</p>' % escape(p) for p in paras)
        parts.append(('OEBPS/text/c%d.xhtml' % i,
                      '<?xml version="1.0" encoding="UTF-8"?><html xmlns='
                      '"http://www.w3.org/1999/xhtml"><head><title>t</title>'
                      '</head><body>%s</body></html>' % body))
    return zipped(parts, first=('mimetype', 'application/epub+zip'))


def _pdf_string(s):
    return s.replace('\\', '\\\\').replace('(', '\\(').replace(')', '\\)')


def pdf(lines, per_page=50):
    """A PDF of lines of Latin-1 text in Helvetica, per_page lines a page."""
    pages = [lines[i:i + per_page] for i in range(0, len(lines), per_page)]
    pages = pages or [[]]
    objs = {1: b'<< /Type /Catalog /Pages 2 0 R >>',
            3: b'<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica '
               b'/Encoding /WinAnsiEncoding >>'}
    kids = []
    n = 4
    for page in pages:
        ops = ['BT /F1 10 Tf 50 760 Td 13 TL']
        ops += ['(%s) Tj T*' % _pdf_string(line) for line in page]
        ops.append('ET')
        stream = '\n'.join(ops).encode('latin-1', 'replace')
        objs[n] = (b'<< /Length %d >>\nstream\n' % len(stream) + stream +
                   b'\nendstream')
        objs[n + 1] = (b'<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792]'
                       b' /Resources << /Font << /F1 3 0 R >> >> /Contents '
                       b'%d 0 R >>' % n)
        kids.append(n + 1)
        n += 2
    objs[2] = (b'<< /Type /Pages /Kids [%s] /Count %d >>'
               % (b' '.join(b'%d 0 R' % k for k in kids), len(kids)))
    out = bytearray(b'%PDF-1.4\n')
    offsets = {}
    for i in sorted(objs):
        offsets[i] = len(out)
        out += b'%d 0 obj\n' % i + objs[i] + b'\nendobj\n'
    xref = len(out)
    out += b'xref\n0 %d\n0000000000 65535 f \n' % (n)
    for i in range(1, n):
        out += b'%010d 00000 n \n' % offsets[i]
    out += (b'trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n'
            % (n, xref))
    return bytes(out)
