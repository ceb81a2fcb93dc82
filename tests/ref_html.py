#!/usr/bin/env python3
"""ref_html.py - the reference of the HTML and EPUB text rules of wcindex(1)
(src/formats/html.c and epub.c), written again with python's own parsers:
html.parser.HTMLParser for pages, zipfile and ElementTree for books, and
docref_sink.Sink for the layout.  The tests compare tests/doc-count with it.

usage: ref_html.py [--text] [--ext EXT] FILE...
(--text: the extracted text first, for debugging)
prints, like doc-count: FORMAT STATUS LINES WORDS CHARS BYTES

It follows libxml2 where a browser and libxml2 differ only on documents
that are not well-formed (implied end tags); the generated test documents
are well-formed, so that the two must agree on every one of them."""

import codecs
import io
import os
import re
import sys
import zipfile
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from docref_sink import Sink, counts  # noqa: E402

HIDDEN = {'head', 'title', 'script', 'style', 'template', 'noscript', 'svg',
          'math', 'iframe', 'noembed', 'noframes'}
BLOCK = {'address', 'article', 'aside', 'blockquote', 'body', 'caption',
         'center', 'dd', 'details', 'dialog', 'dir', 'div', 'dl', 'dt',
         'fieldset', 'figcaption', 'figure', 'footer', 'form', 'frameset',
         'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'hgroup', 'hr', 'html',
         'legend', 'li', 'listing', 'main', 'menu', 'nav', 'ol', 'p',
         'plaintext', 'pre', 'section', 'summary', 'table', 'tbody', 'td',
         'textarea', 'tfoot', 'th', 'thead', 'tr', 'ul', 'xmp'}
VERBATIM = {'pre', 'listing', 'textarea', 'xmp', 'plaintext'}
DROP_LF = {'pre', 'listing', 'textarea'}
VOID = {'area', 'base', 'basefont', 'br', 'col', 'embed', 'frame', 'hr',
        'img', 'input', 'isindex', 'keygen', 'link', 'meta', 'param',
        'source', 'track', 'wbr'}
PRESCAN = 1024
EXTS = {'html', 'htm', 'xhtml', 'xht', 'shtml'}
WS = b' \t\n\r\f'


class Extractor(HTMLParser):
    """The SAX handler of html.c: counters and breaks, no tree."""

    def __init__(self, sink):
        super().__init__(convert_charrefs=True)
        self.sink = sink
        self.stack = []
        self.hidden = 0
        self.verbatim = 0
        self.drop_lf = False

    def _start(self, tag):
        self.drop_lf = False
        if tag in HIDDEN:
            self.hidden += 1
            return
        if self.hidden:
            return
        if tag in BLOCK or tag == 'br':
            self.sink.brk()
        if tag in VERBATIM:
            self.verbatim += 1
            self.drop_lf = tag in DROP_LF

    def _end(self, tag):
        self.drop_lf = False
        if tag in HIDDEN:
            self.hidden = max(0, self.hidden - 1)
            return
        if self.hidden:
            return
        if tag in BLOCK:
            self.sink.brk()
        if tag in VERBATIM and self.verbatim:
            self.verbatim -= 1

    def handle_starttag(self, tag, attrs):
        self._start(tag)
        if tag in VOID:
            self._end(tag)
        else:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self._start(tag)
        self._end(tag)

    def handle_endtag(self, tag):
        if tag not in self.stack:
            return
        while self.stack:
            t = self.stack.pop()
            self._end(t)
            if t == tag:
                break

    def handle_data(self, data):
        # libxml2 drops the C0 controls XML does not allow
        data = C0.sub('', data)
        if self.hidden or not data:
            return
        if self.drop_lf:
            self.drop_lf = False
            if data[0] == '\n':
                data = data[1:]
        if self.verbatim:
            self.sink.verbatim(data)
        else:
            self.sink.text(data)

    def close(self):
        super().close()
        while self.stack:
            self._end(self.stack.pop())


C0 = re.compile('[\x00-\x08\x0b\x0c\x0e-\x1f]')
ATTR = rb'\s*=\s*["\']?([A-Za-z0-9._:-]+)'


def declared(head):
    """The encoding the first bytes declare (html.c's html_declared)."""
    if head.startswith(b'<?xml'):
        end = head.find(b'?>')
        if end >= 0:
            m = re.search(rb'(?i)encoding' + ATTR, head[:end])
            if m:
                return m.group(1).decode('ascii')
    for m in re.finditer(rb'(?i)<meta[\s/]', head):
        end = head.find(b'>', m.start())
        if end < 0:
            return None
        a = re.search(rb'(?i)charset' + ATTR, head[m.start():end])
        if a:
            return a.group(1).decode('ascii')
    return None


def decode(data):
    """The page as text: by its byte order mark, else by a declaration in
    its first 1024 bytes, else UTF-8 up to the first byte that is not,
    ISO-8859-1 from there on (libxml2's fallback)."""
    if data[:2] == b'\xff\xfe':
        return data[2:].decode('utf-16-le', 'replace')
    if data[:2] == b'\xfe\xff':
        return data[2:].decode('utf-16-be', 'replace')
    if data[:3] == b'\xef\xbb\xbf':
        data = data[3:]
    else:
        enc = declared(data[:PRESCAN])
        if enc and not enc.lower().startswith('utf-'):
            try:
                codecs.lookup(enc)
                return data.decode(enc)
            except LookupError:
                pass
    try:
        return data.decode('utf-8')
    except UnicodeDecodeError as e:
        return data[:e.start].decode('utf-8') + data[e.start:].decode('latin-1')


def html_into(sink, data):
    p = Extractor(sink)
    text = decode(data)
    if data[:2] not in (b'\xff\xfe', b'\xfe\xff'):
        text = text.replace('\f', ' ')   # html.c's html_form_feeds()
    p.feed(text)
    p.close()


def head_ascii(head):
    if head[:2] in (b'\xff\xfe', b'\xfe\xff'):
        lo = 0 if head[0] == 0xff else 1
        return bytes(b'?'[0] if head[i + 1 - lo] else head[i + lo]
                     for i in range(2, len(head) - 1, 2))
    return head[3:] if head[:3] == b'\xef\xbb\xbf' else head


def starts(a, word):
    w = len(word)
    return len(a) > w and a[:w].lower() == word and a[w] in b'> \t\n\r\f'


def is_html(head, ext):
    if head[:4] == b'PK\3\4' or head[:5] == b'%PDF-':
        return False
    a = head_ascii(head)
    i = 0
    while i < len(a) and a[i] in WS:
        i += 1
    while a[i:i + 4] == b'<!--':
        e = a.find(b'-->', i + 4)
        if e < 0:
            break
        i = e + 3
        while i < len(a) and a[i] in WS:
            i += 1
    a = a[i:]
    if starts(a, b'<!doctype html') or starts(a, b'<html'):
        return True
    if a[:5] == b'<?xml' and any(starts(a[k:], b'<!doctype html') or
                                 starts(a[k:], b'<html')
                                 for k in range(len(a)) if a[k] == 0x3c):
        return True
    if b'\0' in head_ascii(head):
        return False
    return ext in EXTS


# ------------------------------------------------------------------ epub --

def local(tag):
    return tag.rsplit('}', 1)[-1] if isinstance(tag, str) else ''


def resolve(d, href):
    """epub.c's epub_resolve: None for a URL or a path out of the book."""
    cut = re.search(r'[:/#?]', href)
    if cut and cut.group() == ':':
        return None
    raw = bytearray(d.encode() if not href.startswith('/') else b'')
    src = href.encode('utf-8', 'surrogateescape')
    i = 0
    while i < len(src) and src[i] not in b'#?':
        if (src[i] == 0x25 and re.fullmatch(rb'[0-9A-Fa-f]{2}', src[i + 1:i + 3])):
            v = int(src[i + 1:i + 3], 16)
            if not v:
                return None
            raw.append(v)
            i += 3
        else:
            raw.append(src[i])
            i += 1
    out = []
    for seg in bytes(raw).split(b'/'):
        if seg in (b'', b'.'):
            continue
        if seg == b'..':
            if not out:
                return None
            out.pop()
            continue
        out.append(seg)
    return b'/'.join(out).decode('utf-8', 'surrogateescape') if out else None


FONTS = {'http://www.idpf.org/2008/embedding', 'http://ns.adobe.com/pdf/enc#RC'}


def zip_read(z, name):
    try:
        return z.read(name)
    except KeyError:
        return None


def epub_into(sink, z):
    """The status of the book z, its text put into sink."""
    data = zip_read(z, 'META-INF/container.xml')
    if data is None:
        return 'damaged'
    try:
        root = ET.fromstring(data)
    except ET.ParseError:
        return 'damaged'
    rf = next((e for e in root.iter() if local(e.tag) == 'rootfile'), None)
    opf = rf.get('full-path') if rf is not None else None
    if not opf or zip_read(z, opf) is None:
        return 'damaged'
    try:
        pkg = ET.fromstring(zip_read(z, opf))
    except ET.ParseError:
        return 'damaged'
    opf_dir = opf[:opf.rfind('/') + 1]
    items, spine = {}, []
    for e in pkg.iter():
        if local(e.tag) == 'manifest':
            for c in e:
                if local(c.tag) == 'item' and c.get('id') is not None \
                        and c.get('href') is not None and c.get('id') not in items:
                    items[c.get('id')] = [c.get('href'), c.get('media-type'), False]
        elif local(e.tag) == 'spine':
            spine += [c.get('idref') for c in e
                      if local(c.tag) == 'itemref' and c.get('idref') is not None]
    locked = set()
    enc = zip_read(z, 'META-INF/encryption.xml')
    if enc is not None:
        try:
            for e in ET.fromstring(enc).iter():
                if local(e.tag) != 'EncryptedData':
                    continue
                m = next((x for x in e.iter() if local(x.tag) == 'EncryptionMethod'), None)
                r = next((x for x in e.iter() if local(x.tag) == 'CipherReference'), None)
                alg = m.get('Algorithm') if m is not None else None
                uri = r.get('URI') if r is not None else None
                if uri and alg not in FONTS and resolve('', uri):
                    locked.add(resolve('', uri))
        except ET.ParseError:
            pass
    names = set(z.namelist())
    parts, missing = [], 0
    for idref in spine:
        it = items.get(idref)
        if it is None:
            missing += 1
            continue
        t = re.split(r'[; \t]', it[1] or '')[0].lower()
        if it[2] or t not in ('application/xhtml+xml', 'text/html'):
            continue
        it[2] = True
        path = resolve(opf_dir, it[0])
        if path is None or path not in names:
            missing += 1
            continue
        if path in locked:
            return 'encrypted'
        parts.append(path)
    for path in parts:
        sink.brk()
        html_into(sink, z.read(path))
        sink.brk()
    return 'damaged' if missing else 'ok'


def is_epub(z, ext):
    mt = zip_read(z, 'mimetype')
    if mt is not None and mt.strip(b' \t\r\n') == b'application/epub+zip':
        return True
    return ext == 'epub' and 'META-INF/container.xml' in z.namelist()


def count_file(path, ext=None):
    data = open(path, 'rb').read()
    if ext is None:
        ext = os.path.splitext(os.path.basename(path))[1][1:].lower()
    sink, fmt, status = Sink(), 'text', 'ok'
    z = None
    if data[:4] == b'PK\3\4':
        try:
            z = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, ValueError, OSError):
            z = None
    if z is not None and is_epub(z, ext):
        fmt = 'epub'
        status = epub_into(sink, z)
        text = sink.finish() if status != 'encrypted' else ''
    elif is_html(data[:4096], ext):
        fmt = 'html'
        html_into(sink, data)
        text = sink.finish()
    else:
        text = data.decode('utf-8', 'surrogateescape')
    if SHOW_TEXT:
        sys.stdout.write(text)
    b, lines, words, chars = counts(text)
    return '%s %s %d %d %d %d' % (fmt, status, lines, words, chars, b)


SHOW_TEXT = False


def main(argv):
    global SHOW_TEXT
    ext = None
    if argv[:1] == ['--text']:
        SHOW_TEXT, argv = True, argv[1:]
    if argv[:1] == ['--ext']:
        ext, argv = argv[1], argv[2:]
    for path in argv:
        print(count_file(path, ext))


if __name__ == '__main__':
    main(sys.argv[1:])
