#!/usr/bin/env python3
"""ref_office.py - the reference for the office formats (docx, pptx, odt,
odp): the text rules of wcindex(1), section DOCUMENTS, written again in
python from the same rules, but the other way round from the C modules: the
parts are parsed whole (zipfile, ElementTree) and the trees walked, where
src/formats/ooxml.c and odf.c stream them through libxml2's SAX parser.

usage: ref_office.py [--ext EXT] [--text] FILE...
prints, like tests/doc-count, one line per file:
    FORMAT STATUS LINES WORDS CHARS BYTES
or with --text the text itself.
FORMAT is "text" when the file is none of these formats (no counts are
then given: the tests only ask about documents).
"""

import io
import os
import sys
import zipfile
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from docref_sink import Sink, counts  # noqa: E402

NS_CT = 'http://schemas.openxmlformats.org/package/2006/content-types'
NS_MC = 'http://schemas.openxmlformats.org/markup-compatibility/2006'
NS_W = ('http://schemas.openxmlformats.org/wordprocessingml/2006/main',
        'http://purl.oclc.org/ooxml/wordprocessingml/main')
NS_A = ('http://schemas.openxmlformats.org/drawingml/2006/main',
        'http://purl.oclc.org/ooxml/drawingml/main')
NS_M = ('http://schemas.openxmlformats.org/officeDocument/2006/math',
        'http://purl.oclc.org/ooxml/officeDocument/math')
NS_XML = 'http://www.w3.org/XML/1998/namespace'
NS_TEXT = 'urn:oasis:names:tc:opendocument:xmlns:text:1.0'
NS_OFFICE = 'urn:oasis:names:tc:opendocument:xmlns:office:1.0'
NS_PRES = 'urn:oasis:names:tc:opendocument:xmlns:presentation:1.0'
NS_SVG = 'urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0'
NS_MANIFEST = 'urn:oasis:names:tc:opendocument:xmlns:manifest:1.0'

OX = 'application/vnd.openxmlformats-officedocument.'
KINDS = {
    OX + 'wordprocessingml.document.main+xml': 'docx-main',
    OX + 'wordprocessingml.template.main+xml': 'docx-main',
    'application/vnd.ms-word.document.macroenabled.main+xml': 'docx-main',
    'application/vnd.ms-word.template.macroenabledtemplate.main+xml': 'docx-main',
    OX + 'presentationml.presentation.main+xml': 'pptx-main',
    OX + 'presentationml.slideshow.main+xml': 'pptx-main',
    OX + 'presentationml.template.main+xml': 'pptx-main',
    'application/vnd.ms-powerpoint.presentation.macroenabled.main+xml': 'pptx-main',
    'application/vnd.ms-powerpoint.slideshow.macroenabled.main+xml': 'pptx-main',
    'application/vnd.ms-powerpoint.template.macroenabled.main+xml': 'pptx-main',
    OX + 'wordprocessingml.footnotes+xml': 'notes',
    OX + 'wordprocessingml.endnotes+xml': 'notes',
    OX + 'presentationml.slide+xml': 'slide',
    OX + 'drawingml.diagramdata+xml': 'diagram',
}
ODF_TYPES = {
    'application/vnd.oasis.opendocument.text': 'odt',
    'application/vnd.oasis.opendocument.text-template': 'odt',
    'application/vnd.oasis.opendocument.presentation': 'odp',
    'application/vnd.oasis.opendocument.presentation-template': 'odp',
}
OLE2 = b'\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1'
OLE2_EXTS = {'docx': 'docx', 'docm': 'docx', 'dotx': 'docx', 'dotm': 'docx',
             'pptx': 'pptx', 'pptm': 'pptx', 'potx': 'pptx', 'potm': 'pptx',
             'ppsx': 'pptx', 'ppsm': 'pptx'}
XML_WS = ' \t\n\r'
FIELD_MAX = 64


class Damaged(Exception):
    pass


def split(tag):
    if tag[:1] == '{':
        uri, _, local = tag[1:].partition('}')
        return uri, local
    return '', tag


def parse(data):
    """The root of a part: iterparse to its end (any error: damaged)."""
    root = None
    try:
        for _, elem in ET.iterparse(io.BytesIO(data), events=('start',)):
            if root is None:
                root = elem
    except ET.ParseError as e:
        raise Damaged(str(e))
    return root


class Walker:
    """Visits a tree as a SAX parser would: start, text, children (each
    followed by its tail), end.  start() returns False to skip a subtree
    (its end is then not visited)."""

    def walk(self, e):
        uri, local = split(e.tag)
        if self.start(uri, local, e.attrib) is False:
            return
        if e.text:
            self.text(e.text)
        for c in e:
            self.walk(c)
            if c.tail:
                self.text(c.tail)
        self.end(uri, local)


class Mc(Walker):
    """Markup compatibility: the first mc:Choice of an mc:AlternateContent
    is read; later ones and the mc:Fallback are skipped, unless no Choice
    came before the Fallback."""

    def __init__(self, sink):
        self.sink = sink
        self.ac = []

    def start(self, uri, local, attrs):
        if uri != NS_MC:
            return self.start2(uri, local, attrs)
        if local == 'AlternateContent':
            self.ac.append(False)
        elif local in ('Choice', 'Fallback'):
            if not self.ac or self.ac[-1]:
                return False
            self.ac[-1] = True
        return True

    def end(self, uri, local):
        if uri == NS_MC:
            if local == 'AlternateContent' and self.ac:
                self.ac.pop()
            return
        self.end2(uri, local)


def wattr(attrs, name):
    for ns in NS_W:
        v = attrs.get('{%s}%s' % (ns, name))
        if v is not None:
            return v
    return None


class Docx(Mc):
    SKIPPED = {'del', 'moveFrom', 'delText', 'instrText', 'delInstrText',
               'pPr', 'rPr'}

    def __init__(self, sink, notes):
        super().__init__(sink)
        self.notes = notes
        self.in_t = 0
        self.preserve = False
        self.fields = []        # True while a field is in its code

    def counts(self):
        return not any(self.fields[:FIELD_MAX])

    def start2(self, uri, local, attrs):
        if uri in NS_M and local == 't':
            self.in_t += 1
            self.preserve = attrs.get('{%s}space' % NS_XML) == 'preserve'
            return True
        if uri not in NS_W:
            return True
        s = self.sink
        if local in self.SKIPPED:
            return False
        if self.notes and local in ('footnote', 'endnote') and wattr(attrs, 'type') in (
                'separator', 'continuationSeparator', 'continuationNotice'):
            return False
        if local == 't':
            self.in_t += 1
            self.preserve = attrs.get('{%s}space' % NS_XML) == 'preserve'
        elif local == 'p':
            s.brk()
        elif local == 'fldChar':
            self.fldchar(wattr(attrs, 'fldCharType'))
        elif not self.counts():
            pass
        elif local in ('tab', 'ptab'):
            s.space()
        elif local in ('br', 'cr'):
            s.brk()
        elif local == 'noBreakHyphen':
            s.text('-')
        elif local == 'sym':
            self.sym(wattr(attrs, 'char'))
        return True

    def fldchar(self, kind):
        # an open field beyond FIELD_MAX is counted but not remembered
        if kind == 'begin':
            self.fields.append(True)
        elif kind == 'separate':
            if self.fields and len(self.fields) <= FIELD_MAX:
                self.fields[-1] = False
        elif kind == 'end':
            if self.fields:
                self.fields.pop()

    def sym(self, v):
        if not v or len(v) > 6 or any(c not in '0123456789abcdefABCDEF' for c in v):
            return
        c = int(v, 16)
        if c < 0x20 or 0xd800 <= c < 0xe000 or c > 0x10ffff:
            return
        self.sink.text(chr(c))

    def end2(self, uri, local):
        if local == 't' and self.in_t and (uri in NS_W or uri in NS_M):
            self.in_t -= 1
        elif uri in NS_W and local == 'p':
            self.sink.brk()

    def text(self, t):
        if not self.in_t or not self.counts():
            return
        if not self.preserve:
            t = t.strip(XML_WS)
        self.sink.text(t)


class Pptx(Mc):
    def __init__(self, sink):
        super().__init__(sink)
        self.in_t = 0

    def start2(self, uri, local, attrs):
        if uri in NS_A:
            if local == 't':
                self.in_t += 1
            elif local in ('p', 'br'):
                self.sink.brk()
        return True

    def end2(self, uri, local):
        if uri in NS_A:
            if local == 't' and self.in_t:
                self.in_t -= 1
            elif local == 'p':
                self.sink.brk()

    def text(self, t):
        if self.in_t:
            self.sink.text(t)


class Odf(Walker):
    SKIPPED = {(NS_TEXT, 'tracked-changes'), (NS_TEXT, 'note-citation'),
               (NS_TEXT, 'sequence-decls'), (NS_TEXT, 'variable-decls'),
               (NS_TEXT, 'user-field-decls'), (NS_TEXT, 'dde-connection-decls'),
               (NS_OFFICE, 'annotation'), (NS_OFFICE, 'forms'),
               (NS_OFFICE, 'scripts'), (NS_PRES, 'notes'),
               (NS_SVG, 'title'), (NS_SVG, 'desc')}

    def __init__(self, sink, notes_pass):
        self.sink = sink
        self.notes_pass = notes_pass
        self.saw_note = False
        self.in_p = 0
        self.in_note = 0

    def in_pass(self):
        return not self.notes_pass or self.in_note

    def start(self, uri, local, attrs):
        if (uri, local) in self.SKIPPED:
            return False
        if uri != NS_TEXT:
            return True
        if local == 'note-body':
            self.saw_note = True
            if not self.notes_pass:
                return False
            self.in_note += 1
        elif not self.in_pass():
            pass
        elif local in ('p', 'h'):
            self.sink.brk()
            self.in_p += 1
        elif local in ('s', 'tab'):
            self.sink.space()
        elif local == 'line-break':
            self.sink.brk()
        return True

    def end(self, uri, local):
        if uri != NS_TEXT:
            return
        if local == 'note-body' and self.in_note:
            self.in_note -= 1
        elif local in ('p', 'h') and self.in_p:
            self.in_p -= 1
            self.sink.brk()

    def text(self, t):
        if self.in_p and self.in_pass():
            self.sink.text(t)


def find_opc(zf, name):
    name = name[1:] if name.startswith('/') else name
    infos = zf.infolist()
    for i in infos:
        if i.filename == name:
            return i
    for i in infos:
        if i.filename.lower() == name.lower():
            return i
    return None


def content_types(zf):
    i = find_opc(zf, '[Content_Types].xml')
    if i is None:
        return None
    parts = []
    for e in parse(zf.read(i)).iter('{%s}Override' % NS_CT):
        kind = KINDS.get((e.get('ContentType') or '').lower())
        if kind and e.get('PartName') is not None:
            parts.append((kind, find_opc(zf, e.get('PartName'))))
    return parts


def ooxml_format(parts):
    for kind, _ in parts:
        if kind == 'docx-main':
            return 'docx'
        if kind == 'pptx-main':
            return 'pptx'
    return None


def odf_format(zf):
    try:
        mt = zf.read('mimetype')
    except KeyError:
        return None
    return ODF_TYPES.get(mt.rstrip(b'\n\r ').decode('latin-1'))


def extract_ooxml(zf, fmt, parts, sink):
    main = 'docx-main' if fmt == 'docx' else 'pptx-main'
    first = [info for kind, info in parts if kind == main][0]
    if first is None:
        raise Damaged('the main part of the package is missing')
    if fmt == 'docx':
        todo = [('main', first)] + [(k, i) for k, i in parts if k == 'notes']
    else:
        todo = [(k, i) for k, i in parts if k == 'slide']
        todo += [(k, i) for k, i in parts if k == 'diagram']
    for kind, info in todo:
        if info is None:
            continue
        root = parse(zf.read(info))
        w = Docx(sink, kind == 'notes') if fmt == 'docx' else Pptx(sink)
        w.walk(root)
        sink.brk()


def odf_encrypted(zf):
    try:
        root = parse(zf.read('META-INF/manifest.xml'))
    except (KeyError, Damaged):
        return False
    for e in root.iter('{%s}file-entry' % NS_MANIFEST):
        if e.get('{%s}full-path' % NS_MANIFEST) == 'content.xml' and \
                e.find('{%s}encryption-data' % NS_MANIFEST) is not None:
            return True
    return False


def extract_odf(zf, sink):
    if odf_encrypted(zf):
        return 'encrypted'
    root = parse(zf.read('content.xml'))
    w = Odf(sink, False)
    w.walk(root)
    if w.saw_note:
        sink.brk()
        Odf(sink, True).walk(root)
    return 'ok'


def examine(path, ext):
    """(format, status, text)."""
    data = open(path, 'rb').read()
    if data[:8] == OLE2:
        fmt = OLE2_EXTS.get(ext)
        if not fmt:
            return 'text', None, None
        name = 'EncryptedPackage'.encode('utf-16-le')
        return fmt, 'encrypted' if name in data else 'damaged', ''
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return 'text', None, None
    sink = Sink()
    parts = content_types(zf)
    fmt = ooxml_format(parts) if parts is not None else None
    if fmt:
        extract_ooxml(zf, fmt, parts, sink)
        return fmt, 'ok', sink.finish()
    fmt = odf_format(zf)
    if fmt:
        status = extract_odf(zf, sink)
        return fmt, status, sink.finish() if status == 'ok' else ''
    return 'text', None, None


def main(argv):
    ext = None
    show = False
    args = argv[1:]
    while args[:1] in (['--ext'], ['--text']):
        if args[0] == '--text':
            show, args = True, args[1:]
        else:
            ext, args = args[1], args[2:]
    for path in args:
        e = ext if ext is not None else os.path.splitext(path)[1][1:].lower()
        try:
            fmt, status, text = examine(path, e)
        except Damaged:
            print('? damaged')
            continue
        if text is None:
            print(fmt)
            continue
        if show:
            sys.stdout.write(text)
            continue
        b, lines, words, chars = counts(text)
        print(fmt, status, lines, words, chars, b)
    return 0


if __name__ == '__main__':
    sys.setrecursionlimit(20000)
    sys.exit(main(sys.argv))
