"""Write a small tree of documents of every format wcindex extracts, for
the scan-level tests (tests/scan-documents.sh): each format's own tests
cover its rules; these only need to be real documents whose words are
known.  Usage: gen-docs.py DIR.  Prints "NAME WORDS" for each document
whose word count is fixed by its text."""
import gzip, io, os, sys, tarfile, zipfile

D = sys.argv[1]
os.makedirs(D, exist_ok=True)
known = {}


def put(name, data):
    with open(os.path.join(D, name), 'wb') as f:
        f.write(data)


def zipped(parts, first=None):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, 'w', zipfile.ZIP_DEFLATED) as z:
        if first:
            z.writestr(zipfile.ZipInfo(first[0]), first[1],
                       compress_type=zipfile.ZIP_STORED)
        for name, data in parts:
            z.writestr(name, data)
    return buf.getvalue()


HTML = ('<!DOCTYPE html><html><head><title>not counted</title>'
        '<style>p { x: y }</style></head><body><h1>Caf\u00e9 menu</h1>'
        '<p>Two <b>wo</b>rds<script>var no = 1;</script> here</p>'
        '<p>and&nbsp;more</p></body></html>')
# "Café menu" / "Two words here" / "and more" (NBSP splits words)
known['page.html'] = 7

W = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main'
CT = 'http://schemas.openxmlformats.org/package/2006/content-types'


def docx(body, extra_parts=()):
    types = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="%s">'
             '<Default Extension="xml" ContentType="application/xml"/>'
             '<Override PartName="/word/document.xml" ContentType="'
             'application/vnd.openxmlformats-officedocument.'
             'wordprocessingml.document.main+xml"/></Types>' % CT)
    doc = ('<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="%s">'
           '<w:body>%s</w:body></w:document>' % (W, body))
    return zipped([('[Content_Types].xml', types),
                   ('_rels/.rels', '<Relationships xmlns="http://schemas.'
                    'openxmlformats.org/package/2006/relationships"/>'),
                   ('word/document.xml', doc)] + list(extra_parts))


DOCX_BODY = ('<w:p><w:r><w:t>Hello wor</w:t></w:r><w:r><w:t>ld</w:t></w:r>'
             '</w:p><w:p><w:r><w:t xml:space="preserve">three more words'
             '</w:t></w:r></w:p>')
known['letter.docx'] = 5

PPTX_TYPES = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="%s">'
              '<Override PartName="/ppt/presentation.xml" ContentType="'
              'application/vnd.openxmlformats-officedocument.presentationml.'
              'presentation.main+xml"/><Override PartName="/ppt/slides/'
              'slide1.xml" ContentType="application/vnd.openxmlformats-'
              'officedocument.presentationml.slide+xml"/></Types>' % CT)
A = 'http://schemas.openxmlformats.org/drawingml/2006/main'
P = 'http://schemas.openxmlformats.org/presentationml/2006/main'
SLIDE = ('<p:sld xmlns:p="%s" xmlns:a="%s"><p:cSld><p:spTree><p:sp>'
         '<p:txBody><a:p><a:r><a:t>Slide title</a:t></a:r></a:p><a:p><a:r>'
         '<a:t>one two three</a:t></a:r></a:p></p:txBody></p:sp>'
         '</p:spTree></p:cSld></p:sld>' % (P, A))
known['talk.pptx'] = 5

TXT = 'urn:oasis:names:tc:opendocument:xmlns:text:1.0'
OFF = 'urn:oasis:names:tc:opendocument:xmlns:office:1.0'


def odf(mime, body):
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-'
               'content xmlns:office="%s" xmlns:text="%s"><office:body>%s'
               '</office:body></office:document-content>' % (OFF, TXT, body))
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:'
                'manifest:1.0"><manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="%s"/></manifest:manifest>' % mime)
    return zipped([('content.xml', content),
                   ('META-INF/manifest.xml', manifest)],
                  first=('mimetype', mime))


ODT = ('<office:text><text:h>Open document</text:h><text:p>four words in'
       '<text:s/>here</text:p></office:text>')
known['notes.odt'] = 6
ODP = ('<office:presentation><text:p>odp slide text</text:p>'
       '</office:presentation>')
known['deck.odp'] = 3


def epub():
    container = ('<?xml version="1.0"?><container version="1.0" xmlns="urn:'
                 'oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
                 '<rootfile full-path="OEBPS/content.opf" media-type='
                 '"application/oebps-package+xml"/></rootfiles></container>')
    opf = ('<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/'
           'opf" version="3.0"><manifest><item id="c1" href="c1.xhtml" '
           'media-type="application/xhtml+xml"/><item id="c2" href="text/'
           'c2.xhtml" media-type="application/xhtml+xml"/></manifest><spine>'
           '<itemref idref="c1"/><itemref idref="c2"/><itemref idref="c1"/>'
           '</spine></package>')
    page = ('<?xml version="1.0" encoding="UTF-8"?><html xmlns="http://www.'
            'w3.org/1999/xhtml"><head><title>t</title></head><body><p>%s'
            '</p></body></html>')
    return zipped([('META-INF/container.xml', container),
                   ('OEBPS/content.opf', opf),
                   ('OEBPS/c1.xhtml', page % 'chapter one words'),
                   ('OEBPS/text/c2.xhtml', page % 'chapter two')],
                  first=('mimetype', 'application/epub+zip'))


known['book.epub'] = 5   # c1 once, though the spine lists it twice


def pdf(lines):
    """A one-page PDF of lines of ASCII text in Helvetica."""
    ops = ['BT /F1 12 Tf 72 720 Td 14 TL']
    for line in lines:
        ops.append('(%s) Tj T*' % line)
    ops.append('ET')
    stream = '\n'.join(ops).encode()
    objs = [b'<< /Type /Catalog /Pages 2 0 R >>',
            b'<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
            b'<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] '
            b'/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>',
            b'<< /Length %d >>\nstream\n' % len(stream) + stream +
            b'\nendstream',
            b'<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica '
            b'/Encoding /WinAnsiEncoding >>']
    out = bytearray(b'%PDF-1.4\n')
    offsets = []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += b'%d 0 obj\n' % i + o + b'\nendobj\n'
    xref = len(out)
    out += b'xref\n0 %d\n0000000000 65535 f \n' % (len(objs) + 1)
    for off in offsets:
        out += b'%010d 00000 n \n' % off
    out += (b'trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n'
            % (len(objs) + 1, xref))
    return bytes(out)


known['report.pdf'] = 6

put('page.html', HTML.encode())
put('page2.html.gz', gzip.compress(HTML.encode(), mtime=0))
known['page2.html.gz'] = known['page.html']
put('letter.docx', docx(DOCX_BODY))
put('talk.pptx', zipped([('[Content_Types].xml', PPTX_TYPES),
                         ('ppt/presentation.xml', '<p:presentation '
                          'xmlns:p="%s"/>' % P),
                         ('ppt/slides/slide1.xml', SLIDE)]))
put('notes.odt', odf('application/vnd.oasis.opendocument.text', ODT))
put('deck.odp', odf('application/vnd.oasis.opendocument.presentation', ODP))
put('book.epub', epub())
put('report.pdf', pdf(['First line of text', 'second line here']))
put('plain.txt', b'just some plain words\n')
known['plain.txt'] = 4

# An encrypted part: the document is recorded as encrypted, uncounted.
# (Its data is not really encrypted: the flag, set in the local and the
# central header, is what readers go by.)
data = bytearray(docx(DOCX_BODY))
name = b'word/document.xml'
for sig, flag_at, name_at in ((b'PK\x03\x04', 6, 30), (b'PK\x01\x02', 8, 46)):
    at = data.find(sig)
    while at >= 0:
        if data[at + name_at:at + name_at + len(name)] == name:
            data[at + flag_at] |= 1
        at = data.find(sig, at + 4)
put('locked.docx', bytes(data))

# Documents inside an archive are documents too.
tbuf = io.BytesIO()
with tarfile.open(fileobj=tbuf, mode='w') as t:
    for name, data in (('in/letter.docx', docx(DOCX_BODY)),
                       ('in/page.html', HTML.encode()),
                       ('in/readme.txt', b'three plain words\n')):
        info = tarfile.TarInfo(name)
        info.size = len(data)
        info.mtime = 0
        t.addfile(info, io.BytesIO(data))
put('bundle.tar', tbuf.getvalue())

for name in sorted(known):
    print(name, known[name])
