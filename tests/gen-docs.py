"""Write a small tree of documents of every format wcindex extracts, for
the scan-level tests (tests/scan-documents.sh): each format's own tests
cover its rules; these only need to be real documents whose words are
known.  Usage: gen-docs.py DIR.  Prints "NAME WORDS" for each document
whose word count is fixed by its text."""
import gzip, io, os, sys, tarfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import docwriters as dw  # noqa: E402

D = sys.argv[1]
os.makedirs(D, exist_ok=True)
known = {}


def put(name, data, words=None):
    with open(os.path.join(D, name), 'wb') as f:
        f.write(data)
    if words is not None:
        known[name] = words


HTML = ('<!DOCTYPE html><html><head><title>not counted</title>'
        '<style>p { x: y }</style></head><body><h1>Caf\u00e9 menu</h1>'
        '<p>Two <b>wo</b>rds<script>var no = 1;</script> here</p>'
        '<p>and&nbsp;more</p></body></html>').encode()
# "Café menu" / "Two words here" / "and more" (NBSP splits words)
put('page.html', HTML, 7)
put('page2.html.gz', gzip.compress(HTML, mtime=0), 7)

# a word split between two runs is one word
DOCX = dw.docx_xml('<w:p><w:r><w:t>Hello wor</w:t></w:r><w:r><w:t>ld</w:t>'
                   '</w:r></w:p><w:p><w:r><w:t xml:space="preserve">three '
                   'more words</w:t></w:r></w:p>')
put('letter.docx', DOCX, 5)
put('talk.pptx', dw.pptx([['Slide title', 'one two three']]), 5)
put('notes.odt', dw.odf_xml('application/vnd.oasis.opendocument.text',
                            '<office:text><text:h>Open document</text:h>'
                            '<text:p>four words in<text:s/>here</text:p>'
                            '</office:text>'), 6)
put('deck.odp', dw.odp(['odp slide text']), 3)
# chapter 0 counted once, though the spine lists it twice
put('book.epub', dw.epub([['chapter one words'], ['chapter two']],
                         spine=[0, 1, 0]), 5)
put('report.pdf', dw.pdf(['First line of text', 'second line here']), 7)
put('plain.txt', b'just some plain words\n', 4)

# An encrypted part: the document is recorded as encrypted, uncounted.
# (Its data is not really encrypted: the flag, set in the local and the
# central header, is what readers go by.)
data = bytearray(DOCX)
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
    for name, data in (('in/letter.docx', DOCX), ('in/page.html', HTML),
                       ('in/readme.txt', b'three plain words\n')):
        info = tarfile.TarInfo(name)
        info.size = len(data)
        info.mtime = 0
        t.addfile(info, io.BytesIO(data))
put('bundle.tar', tbuf.getvalue())

for name in sorted(known):
    print(name, known[name])
