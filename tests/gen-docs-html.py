#!/usr/bin/env python3
"""gen-docs-html.py - write the HTML and EPUB test documents of
tests/docs-html.sh into a directory:

  gen-docs-html.py DIR             well-formed pages and books (ok/, chunk/)
  gen-docs-html.py --hostile DIR SEED N
                                   N mutated pages and books from SEED, and
                                   the fixed hostile cases (deep nesting,
                                   huge tokens, entity bombs, a zip bomb)

Every document of ok/ and chunk/ is well-formed, so that libxml2 and
python's HTMLParser see the same elements and tests/ref_html.py must give
exactly what doc-count gives.  chunk/ holds small documents dense with
multi-byte characters, entities and tags, to be read at every chunk size.
"""

import os
import random
import sys
import zipfile

WORDS = ['alpha', 'beta', 'gamma', 'caf\u00e9', 'na\u00efve', '\u20ac5',
         '\u65e5\u672c\u8a9e', '\U0001F600x', 'x\U00010348y', 'stra\u00dfe',
         '\u00e9t\u00e9', 'word', 'end.', 'a\u00a0b', 'c\u3000d', '\u0416\u0436']
ENTS = ['&amp;', '&lt;', '&gt;', '&quot;', '&eacute;', '&nbsp;', '&mdash;',
        '&#233;', '&#x1F600;', '&#8364;', '&hellip;', '&copy;', '&#x41;',
        '&euro;', '&#12354;']
INLINE = ['b', 'i', 'em', 'strong', 'span', 'a', 'code', 'small', 'sub',
          'sup', 'u', 'abbr', 'q', 'cite', 'kbd', 'mark', 'font']
HIDDEN_BITS = [
    '<script>var s = "<p>not text</p>"; if (a < b) x = "</b>";</script>',
    '<style>p { color: red } /* <b>no</b> */</style>',
    '<!-- a comment with <p>tags</p> and words -->',
    '<noscript><p>no script text</p></noscript>',
    '<svg width="10"><text>svg words</text><path d="M0 0"/></svg>',
    '<math><mi>x</mi><mo>+</mo></math>',
    '<template><p>template words</p></template>',
    '<img src="x.png" alt="alt words are not counted">',
    '<?php echo "pi"; ?>',
    '<input type="text" value="not text">',
]


def rword(r):
    w = r.choice(WORDS)
    if r.random() < 0.3:
        k = r.randrange(len(w) + 1)
        w = w[:k] + r.choice(ENTS) + w[k:]
    return w


def inline(r, depth):
    out = []
    for _ in range(r.randrange(1, 6)):
        c = r.random()
        if c < 0.45:
            out.append(rword(r))
        elif c < 0.6 and depth < 6:
            t = r.choice(INLINE)
            attr = ' href="x.html?a=1&amp;b=2" title="t t"' if t == 'a' else ''
            out.append('<%s%s>%s</%s>' % (t, attr, inline(r, depth + 1), t))
        elif c < 0.7:
            out.append('<br>' if r.random() < 0.7 else '<br/>')
        elif c < 0.78:
            out.append(r.choice(HIDDEN_BITS))
        elif c < 0.85:
            # an inline element inside a word joins it
            out.append('wo<b>r</b>d' + r.choice(['', '&amp;x', '<i>z</i>']))
        else:
            out.append(r.choice([' ', '\n', '\t', '  \n  ', '\r\n', '\f']))
        if r.random() < 0.7:
            out.append(r.choice([' ', '\n', ' \t']))
    return ''.join(out)


def pre(r):
    lead = r.choice(['\n', '', '\n\n', ' '])
    body = '\n'.join('  '.join(rword(r) for _ in range(r.randrange(0, 4)))
                     for _ in range(r.randrange(1, 5)))
    t = r.choice(['pre', 'pre', 'textarea', 'listing'])
    inner = body if t == 'textarea' else body.replace('word', 'w<b>o</b>rd')
    return '<%s>%s%s</%s>' % (t, lead, inner, t)


def block(r, depth):
    c = r.random()
    if c < 0.03:
        # libxml2 ends a paragraph at a <title>: only between blocks
        return '<title>no title words</title>'
    if depth > 4 or c < 0.3:
        t = r.choice(['p', 'h1', 'h2', 'h3', 'h6', 'address', 'dt', 'summary'])
        return '<%s class="c">%s</%s>\n' % (t, inline(r, 0), t)
    if c < 0.4:
        return pre(r) + '\n'
    if c < 0.5:
        t = r.choice(['ul', 'ol', 'menu'])
        return '<%s>%s</%s>' % (t, ''.join('<li>%s</li>' % (
            inline(r, 0) if r.random() < 0.7 else block(r, depth + 1))
            for _ in range(r.randrange(1, 4))), t)
    if c < 0.6:
        rows = ''.join('<tr>%s</tr>\n' % ''.join(
            '<%s>%s</%s>' % (td, inline(r, 0), td)
            for td in r.choice([['th', 'td'], ['td'], ['td', 'td', 'td']]))
            for _ in range(r.randrange(1, 4)))
        return '<table><caption>%s</caption><tbody>%s</tbody></table>' % (
            inline(r, 0), rows)
    if c < 0.65:
        return '<dl><dt>%s</dt><dd>%s</dd></dl>' % (inline(r, 0), inline(r, 0))
    if c < 0.7:
        return '<hr>' + inline(r, 0)
    t = r.choice(['div', 'section', 'article', 'blockquote', 'nav', 'aside',
                  'header', 'footer', 'main', 'figure', 'details'])
    return '<%s>%s%s</%s>' % (t, inline(r, 0) if r.random() < 0.5 else '',
                              ''.join(block(r, depth + 1)
                                      for _ in range(r.randrange(1, 4))), t)


def page(r, body=None, head='', doctype='<!DOCTYPE html>\n'):
    if body is None:
        body = ''.join(block(r, 0) for _ in range(r.randrange(1, 12)))
    return ('%s<html lang="en">\n<head>\n<meta charset="utf-8">%s'
            '<title>The title</title>\n<style>body{}</style>\n</head>\n'
            '<body>\n%s\n</body>\n</html>\n' % (doctype, head, body))


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'wb') as f:
        f.write(data.encode('utf-8') if isinstance(data, str) else data)


def legacy(d):
    body = '<p>caf\u00e9 na\u00efve \u00c5ngstr\u00f6m, price \u00e0</p>'
    cases = [
        ('cp1252.html', 'windows-1252', '<meta charset="windows-1252">',
         body + '<p>\u20ac 5 \u2014 \u201cquoted\u201d \u2026 \u0152uvre</p>'),
        ('latin9.html', 'iso-8859-15',
         '<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-15">',
         body + '<p>\u20ac\u0161</p>'),
        ('koi8.html', 'koi8-r', "<meta charset='koi8-r'>",
         '<p>\u041f\u0440\u0438\u0432\u0435\u0442 \u043c\u0438\u0440</p>'),
        ('sjis.html', 'shift_jis', '<META CHARSET=Shift_JIS>',
         '<p>\u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8 \u3042</p>'),
    ]
    for name, enc, meta, b in cases:
        doc = ('<!DOCTYPE html><html><head>%s<title>t</title></head>'
               '<body>%s</body></html>' % (meta, b))
        write(os.path.join(d, name), doc.encode(enc))
    doc = page(random.Random(5)).replace('<meta charset="utf-8">', '')
    write(os.path.join(d, 'utf16le.html'), b'\xff\xfe' + doc.encode('utf-16-le'))
    write(os.path.join(d, 'utf16be.htm'), b'\xfe\xff' + doc.encode('utf-16-be'))
    write(os.path.join(d, 'bom8.html'), b'\xef\xbb\xbf' + doc.encode())
    write(os.path.join(d, 'undeclared.html'),
          '<html><body><p>caf\u00e9 \U0001F600</p></body></html>'.encode())
    write(os.path.join(d, 'fallback.html'),
          b'<html><body><p>caf\xc3\xa9 then caf\xe9 then \xc3\xa9</p></body></html>')
    write(os.path.join(d, 'xmldecl.xhtml'),
          ('<?xml version="1.0" encoding="ISO-8859-1"?>\n<!DOCTYPE html PUBLIC '
           '"-//W3C//DTD XHTML 1.1//EN" "http://www.w3.org/TR/xhtml11/DTD/xhtml11.dtd">\n'
           '<html xmlns="http://www.w3.org/1999/xhtml"><head><title>t</title></head>'
           '<body><p>caf\u00e9 \u00bd</p><p>x<br/>y</p></body></html>').encode('latin-1'))


FIXED = {
    'inline-join.html': '<p>wo<b>r</b>d <i>one</i><em>two</em></p>',
    'block-split.html': '<div>one</div><div>two<p>three</p>four</div>',
    'entities.html': '<p>wo&amp;rd &lt;tag&gt; &#233;&#xE9;&eacute; a&nbsp;b &#x1F600;</p>',
    'pre.html': '<pre>\n  keep   this\n\n  and\tthis\n</pre><pre>\n\nblank first</pre>',
    'hidden.html': '<html><head><title>t</title></head><body><title>x</title>' +
                   ''.join(HIDDEN_BITS) +
                   '<p>seen</p></body></html>',
    'nohead.htm': '<p>no head, no body</p>text',
    'comment-first.html': '<!-- generated -->\n<!doctype html><p>x</p>',
    'empty.html': '',
    'ws.html': '<p>\u00a0 \u3000 a\u2003b \t\r\n c</p>',
}


def books(d):
    r = random.Random(7)
    chapters = [page(r) for _ in range(4)]

    def epub(name, files, opf_path='OEBPS/content.opf', manifest=None, spine=None,
             mimetype=b'application/epub+zip', extra=None, container=None):
        manifest = manifest if manifest is not None else [
            ('c%d' % i, href, 'application/xhtml+xml') for i, href in enumerate(files)]
        spine = spine if spine is not None else [m[0] for m in manifest]
        opf = ('<?xml version="1.0" encoding="UTF-8"?>\n<package xmlns='
               '"http://www.idpf.org/2007/opf" version="3.0"><metadata/>'
               '<manifest>%s<item id="css" href="s.css" media-type="text/css"/>'
               '</manifest><spine>%s</spine></package>' % (
                   ''.join('<item id="%s" href="%s" media-type="%s"/>' % m
                           for m in manifest),
                   ''.join('<itemref idref="%s"/>' % s for s in spine)))
        if container is None:
            container = ('<?xml version="1.0"?><container version="1.0" xmlns='
                         '"urn:oasis:names:tc:opendocument:xmlns:container">'
                         '<rootfiles><rootfile full-path="%s" media-type='
                         '"application/oebps-package+xml"/></rootfiles>'
                         '</container>' % opf_path)
        with zipfile.ZipFile(os.path.join(d, name), 'w', zipfile.ZIP_DEFLATED) as z:
            if mimetype is not None:
                z.writestr(zipfile.ZipInfo('mimetype'), mimetype)
            z.writestr('META-INF/container.xml', container)
            z.writestr(opf_path, opf)
            for path, data in (extra or {}).items():
                z.writestr(path, data)
            for i, (path, data) in enumerate(files.items()):
                if path:
                    z.writestr(path, data)

    base = {'OEBPS/ch%d.xhtml' % i: c for i, c in enumerate(chapters)}
    rel = {os.path.relpath(p, 'OEBPS'): c for p, c in base.items()}
    epub('plain.epub', {p: c for p, c in base.items()},
         manifest=[('c%d' % i, 'ch%d.xhtml' % i, 'application/xhtml+xml')
                   for i in range(4)])
    epub('repeat.epub', base,
         manifest=[('c%d' % i, 'ch%d.xhtml' % i, 'application/xhtml+xml')
                   for i in range(4)],
         spine=['c2', 'c0', 'c2', 'c1', 'c0', 'c3', 'c3'])
    sub = {'OEBPS/text/part one/ch 1.xhtml': chapters[0],
           'OEBPS/ch2.html': chapters[1], 'top.xhtml': chapters[2]}
    epub('subdirs.epub', sub, manifest=[
        ('a', 'text/part%20one/ch%201.xhtml#frag', 'application/xhtml+xml'),
        ('b', './text/../ch2.html', 'text/html; charset=utf-8'),
        ('c', '../top.xhtml', 'application/xhtml+xml'),
        ('img', 'cover.png', 'image/png'),
        ('out', '../../../etc/passwd', 'application/xhtml+xml')],
        spine=['img', 'c', 'a', 'b'], extra={'OEBPS/cover.png': b'\x89PNG'})
    epub('missing.epub', base, manifest=[
        ('c0', 'ch0.xhtml', 'application/xhtml+xml'),
        ('gone', 'nothere.xhtml', 'application/xhtml+xml'),
        ('c1', 'ch1.xhtml', 'application/xhtml+xml')],
        spine=['c0', 'gone', 'noid', 'c1'])
    epub('rootdir.epub', {k: v for k, v in rel.items()}, opf_path='content.opf',
         manifest=[('c%d' % i, 'ch%d.xhtml' % i, 'application/xhtml+xml')
                   for i in range(4)], mimetype=b' application/epub+zip\n')
    epub('nomime.epub', {k: v for k, v in rel.items()}, opf_path='content.opf',
         manifest=[('c0', 'ch0.xhtml', 'application/xhtml+xml')], mimetype=None)
    epub('encrypted.epub', base, manifest=[
        ('c%d' % i, 'ch%d.xhtml' % i, 'application/xhtml+xml') for i in range(4)],
        extra={'META-INF/encryption.xml':
               '<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container" '
               'xmlns:enc="http://www.w3.org/2001/04/xmlenc#"><enc:EncryptedData>'
               '<enc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes128-cbc"/>'
               '<enc:CipherData><enc:CipherReference URI="OEBPS/ch2.xhtml"/>'
               '</enc:CipherData></enc:EncryptedData></encryption>'})
    epub('fonts.epub', base, manifest=[
        ('c%d' % i, 'ch%d.xhtml' % i, 'application/xhtml+xml') for i in range(2)],
        extra={'META-INF/encryption.xml':
               '<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container" '
               'xmlns:enc="http://www.w3.org/2001/04/xmlenc#"><enc:EncryptedData>'
               '<enc:EncryptionMethod Algorithm="http://www.idpf.org/2008/embedding"/>'
               '<enc:CipherData><enc:CipherReference URI="OEBPS/f.otf"/>'
               '</enc:CipherData></enc:EncryptedData></encryption>',
               'OEBPS/f.otf': b'\0\1\2'})
    cp = ('<?xml version="1.0" encoding="windows-1252"?><html><head><meta '
          'charset="windows-1252"/></head><body><p>\u20ac \u201cq\u201d</p></body></html>')
    epub('legacy.epub', {'OEBPS/a.xhtml': cp.encode('cp1252')},
         manifest=[('a', 'a.xhtml', 'application/xhtml+xml')])


def chunk_docs(d):
    """Small pages whose text starts after the 1024 bytes html.c reads to
    choose the encoding, dense with what a chunk boundary can cut."""
    pad = '<!DOCTYPE html><html><head><title>%s</title></head><body>' % ('t' * 980)
    dense = ('<p>\u00e9\u20ac\U0001F600\u00e9&amp;&eacute;&#x1F600;&#233;'
             'wo<b>r</b>d&nbsp;x\u3000y <i>\u65e5\u672c</i></p><pre>\n'
             '<a href="x.html#\u00e9" title=\'say "hi" > \u20ac\'>link</a>'
             '\u00e9 \U0001F600\n  x</pre><script>a="</b>"</script>'
             '<!-- \u00e9 -->z<br>\U00010348&lt;&gt;\u00df</body></html>')
    write(os.path.join(d, 'dense.html'), pad + dense)
    cp = ('<!DOCTYPE html><html><head><meta charset="windows-1252"><title>%s'
          '</title></head><body><p>\u20ac\u201c\u00e9\u201d &euro;\u2026</p></body></html>'
          % ('t' * 960))
    write(os.path.join(d, 'cp1252.html'), cp.encode('cp1252'))
    u16 = pad.replace('<title>', '<title>') + dense
    write(os.path.join(d, 'utf16.html'), b'\xff\xfe' + u16.encode('utf-16-le'))


def good(d):
    r = random.Random(1)
    for i in range(150):
        write(os.path.join(d, 'ok', 'rand%03d.html' % i), page(r))
    for name, body in FIXED.items():
        write(os.path.join(d, 'ok', name), body)
    legacy(os.path.join(d, 'ok'))
    os.makedirs(os.path.join(d, 'ok'), exist_ok=True)
    books(os.path.join(d, 'ok'))
    chunk_docs(os.path.join(d, 'chunk'))


def mutate(r, data):
    data = bytearray(data)
    for _ in range(r.randrange(1, 8)):
        c = r.random()
        if not data:
            break
        k = r.randrange(len(data))
        if c < 0.4:
            data[k] = r.randrange(256)
        elif c < 0.6:
            del data[k:]
        elif c < 0.8:
            data[k:k] = r.choice([b'<', b'<!--', b'&', b'<![CDATA[', b'</', b'\0',
                                  b'<div>' * 50, b'&#x110000;', b'&#0;', b'\xff\xfe'])
        else:
            del data[k:k + r.randrange(1, 50)]
    return bytes(data)


def hostile(d, seed, n):
    r = random.Random(seed)
    os.makedirs(d, exist_ok=True)
    src = os.path.join(d, 'src')
    os.makedirs(src, exist_ok=True)
    books(src)
    epubs = [open(os.path.join(src, f), 'rb').read()
             for f in sorted(os.listdir(src)) if f.endswith('.epub')]
    for i in range(n):
        if i % 3:
            data = mutate(r, page(r).encode())
            write(os.path.join(d, 'mut%04d.html' % i), data)
        else:
            data = mutate(r, r.choice(epubs))
            write(os.path.join(d, 'mut%04d.epub' % i), data)
    # zips with parts named twice, their directory intact
    for i in range(5):
        with zipfile.ZipFile(os.path.join(d, 'dup%d.epub' % i), 'w') as z:
            z.writestr('mimetype', 'application/epub+zip')
            for _ in range(2):
                z.writestr('META-INF/container.xml', '<container><rootfiles><rootfile '
                           'full-path="c.opf"/></rootfiles></container>')
                z.writestr('c.opf', '<package><manifest><item id="a" href="a.html" '
                           'media-type="text/html"/></manifest><spine><itemref '
                           'idref="a"/><itemref idref="a"/></spine></package>')
                z.writestr('a.html', page(r))
    deep = 100000
    write(os.path.join(d, 'deep-div.html'), '<html><body>' + '<div>x' * deep)
    write(os.path.join(d, 'deep-b.html'), '<html><body>' + '<b>x ' * deep +
          '</b>' * deep)
    write(os.path.join(d, 'deep-mixed.html'), '<p>' + '<span><i><div>' * 10000 +
          '</x>' * 10000)
    write(os.path.join(d, 'huge-attr.html'), '<html><body><p title="' + 'a' * (20 << 20) +
          '">after</p>')
    write(os.path.join(d, 'open-comment.html'), '<html><body><p>a<!--' + 'x ' * (4 << 20))
    write(os.path.join(d, 'open-tag.html'), '<html><body><p' + ' a=b' * (20 << 20))
    laughs = ''.join('<!ENTITY l%d "&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;">'
                     % ((i,) + (i - 1,) * 10) for i in range(1, 10))
    dtd = '<!DOCTYPE html [<!ENTITY l0 "lol">%s]>' % laughs
    write(os.path.join(d, 'laughs.html'), dtd + '<html><body><p>&l9;</p></body></html>')
    write(os.path.join(d, 'laughs.xhtml'), '<?xml version="1.0"?>' + dtd +
          '<html><body><p>&l9;</p></body></html>')
    with zipfile.ZipFile(os.path.join(d, 'laughs.epub'), 'w') as z:
        z.writestr('mimetype', 'application/epub+zip')
        z.writestr('META-INF/container.xml', '<?xml version="1.0"?>' +
                   dtd.replace('html', 'container') +
                   '<container><rootfiles><rootfile full-path="&l9;"/></rootfiles>'
                   '</container>')
    bomb(os.path.join(d, 'bomb.epub'))


def bomb(path):
    """An epub whose one chapter inflates to 1 GiB: a paragraph of one
    letter repeated (no markup: libxml2 holds such a run whole, until
    html.c's limit on unparsed bytes stops it)."""
    import zlib
    head = b'<html><body><p>'
    piece = b'a' * (1 << 20)
    n = 1 << 10
    co = zlib.compressobj(6, zlib.DEFLATED, -15)
    comp = [co.compress(head)] + [co.compress(piece) for _ in range(n)]
    comp.append(co.flush())
    comp = b''.join(comp)
    crc = zlib.crc32(head)
    for _ in range(n):
        crc = zlib.crc32(piece, crc)
    size = len(head) + n * len(piece)
    with zipfile.ZipFile(path, 'w') as z:
        z.writestr('mimetype', 'application/epub+zip')
        z.writestr('META-INF/container.xml', '<container><rootfiles><rootfile '
                   'full-path="c.opf"/></rootfiles></container>')
        z.writestr('c.opf', '<package><manifest><item id="a" href="a.html" '
                   'media-type="text/html"/></manifest><spine><itemref '
                   'idref="a"/></spine></package>')
        zi = zipfile.ZipInfo('a.html')
        zi.compress_type = zipfile.ZIP_DEFLATED
        z.writestr(zi, b'')
    # put the deflated 1 GB in place of the empty part: patch sizes and crc
    _patch(path, 'a.html', comp, crc, size)


def _patch(path, name, comp, crc, size):
    import struct
    data = open(path, 'rb').read()
    z = zipfile.ZipFile(path)
    info = z.getinfo(name)
    z.close()
    start = info.header_offset
    nlen, xlen = struct.unpack('<HH', data[start + 26:start + 30])
    old_end = start + 30 + nlen + xlen + info.compress_size
    head = bytearray(data[start:start + 30 + nlen + xlen])
    struct.pack_into('<III', head, 14, crc, len(comp), size)
    out = bytearray(data[:start] + head + comp)
    delta = len(out) - old_end
    rest = bytearray(data[old_end:])
    # fix the central directory entry of the part and the end record
    i = 0
    while True:
        i = rest.find(b'PK\x01\x02', i)
        if i < 0:
            break
        n, x, c = struct.unpack('<HHH', rest[i + 28:i + 34])
        off = struct.unpack('<I', rest[i + 42:i + 46])[0]
        if rest[i + 46:i + 46 + n] == name.encode():
            struct.pack_into('<III', rest, i + 16, crc, len(comp), size)
        elif off > start:
            struct.pack_into('<I', rest, i + 42, off + delta)
        i += 46 + n + x + c
    e = rest.rfind(b'PK\x05\x06')
    cd = struct.unpack('<I', rest[e + 16:e + 20])[0]
    struct.pack_into('<I', rest, e + 16, cd + delta)
    open(path, 'wb').write(bytes(out + rest))


if __name__ == '__main__':
    if sys.argv[1:2] == ['--hostile']:
        hostile(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    else:
        good(sys.argv[1])
