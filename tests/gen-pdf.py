#!/usr/bin/env python3
"""gen-pdf.py - the PDF fixtures of tests/docs-pdf.sh, written by hand.

    gen-pdf.py DIR            the fixtures, and DIR/manifest.json
    gen-pdf.py --hostile DIR  a few hundred broken and hostile PDFs
    gen-pdf.py --big FILE N   one PDF of N pages of text (for timing)

A tiny PDF writer: the 14 standard Type1 fonts in WinAnsiEncoding, one
content stream a page (raw or deflated), a classic xref table, and the
standard security handler (RC4, revision 2 or 3) for the encrypted cases.
Each fixture is a construct of text layout that pdftotext must read as
the module does: several pages, Tj and TJ with kerning gaps, lines drawn
out of order, two columns, hyphenated lines, text outside ASCII, table
cells and bullets side by side, a page without text, rotated text.

The manifest lists each fixture with what the test expects of it:
"compare" (the counts follow from pdftotext's output by the rule of
wcindex(1)), "encrypted" (status encrypted), "damaged" (no counts), "text" (not a PDF: counted
as its bytes).  Everything is seeded: the
same files every run.
"""
import hashlib
import json
import os
import random
import struct
import sys
import zlib

PAD = bytes.fromhex('28bf4e5e4e758a4164004e56fffa01082e2e00b6d0683e802f0ca9fe6453697a')


def rc4(key, data):
    s = list(range(256))
    j = 0
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) & 255
        s[i], s[j] = s[j], s[i]
    out = bytearray()
    i = j = 0
    for b in data:
        i = (i + 1) & 255
        j = (j + s[i]) & 255
        s[i], s[j] = s[j], s[i]
        out.append(b ^ s[(s[i] + s[j]) & 255])
    return bytes(out)


def pad(pw):
    return (pw + PAD)[:32]


class Security:
    """The standard security handler, revision 2 (40 bits) or 3 (128 bits)."""

    def __init__(self, user, owner, rev=3, perms=-4, doc_id=b'wcindex-test-id!'):
        self.rev = rev
        self.n = 5 if rev == 2 else 16
        self.p = perms
        self.id = doc_id
        # algorithm 3: the O entry
        h = hashlib.md5(pad(owner)).digest()
        if rev >= 3:
            for _ in range(50):
                h = hashlib.md5(h[:self.n]).digest()
        okey = h[:self.n]
        o = rc4(okey, pad(user))
        if rev >= 3:
            for i in range(1, 20):
                o = rc4(bytes(b ^ i for b in okey), o)
        self.o = o
        # algorithm 2: the file key
        h = hashlib.md5(pad(user) + o + struct.pack('<i', perms) + doc_id).digest()
        if rev >= 3:
            for _ in range(50):
                h = hashlib.md5(h[:self.n]).digest()
        self.key = h[:self.n]
        # algorithms 4 and 5: the U entry
        if rev == 2:
            self.u = rc4(self.key, PAD)
        else:
            u = rc4(self.key, hashlib.md5(PAD + doc_id).digest())
            for i in range(1, 20):
                u = rc4(bytes(b ^ i for b in self.key), u)
            self.u = u + bytes(16)

    def encrypt(self, num, data):
        k = hashlib.md5(self.key + struct.pack('<I', num)[:3] + b'\0\0').digest()
        return rc4(k[:min(self.n + 5, 16)], data)

    def dict(self):
        v = 1 if self.rev == 2 else 2
        return (b'<< /Filter /Standard /V %d /R %d /Length %d /P %d /O <%s> /U <%s> >>'
                % (v, self.rev, self.n * 8, self.p, self.o.hex().encode(), self.u.hex().encode()))


class Pdf:
    FONTS = {'F1': 'Helvetica', 'F2': 'Times-Roman', 'F3': 'Courier', 'F4': 'Helvetica-Bold'}

    def __init__(self):
        self.objs = {}          # num -> (dict bytes, stream bytes or None)
        self.next = 1
        self.pages = []
        self.catalog = self.reserve()
        self.root_pages = self.reserve()
        fonts = []
        for name, base in self.FONTS.items():
            n = self.add(b'<< /Type /Font /Subtype /Type1 /BaseFont /%s /Encoding /WinAnsiEncoding >>'
                         % base.encode())
            fonts.append(b'/%s %d 0 R' % (name.encode(), n))
        self.resources = b'<< /Font << ' + b' '.join(fonts) + b' >> >>'

    def reserve(self):
        n = self.next
        self.next += 1
        return n

    def add(self, body, stream=None, num=None):
        if num is None:
            num = self.reserve()
        self.objs[num] = (body, stream)
        return num

    def page(self, content, compress=False, box=(612, 792)):
        data = content.encode('latin-1') if isinstance(content, str) else content
        extra = b''
        if compress:
            data = zlib.compress(data)
            extra = b' /Filter /FlateDecode'
        c = self.add(b'<< /Length %d' + extra + b' >>', data)
        p = self.add(b'<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %d %d] /Resources %s /Contents %d 0 R >>'
                     % (self.root_pages, box[0], box[1], self.resources, c))
        self.pages.append(p)

    def bytes(self, security=None):
        self.add(b'<< /Type /Catalog /Pages %d 0 R >>' % self.root_pages, num=self.catalog)
        kids = b' '.join(b'%d 0 R' % p for p in self.pages)
        self.add(b'<< /Type /Pages /Kids [%s] /Count %d >>' % (kids, len(self.pages)),
                 num=self.root_pages)
        enc = None
        if security:
            enc = self.add(security.dict())
        out = bytearray(b'%PDF-1.4\n%\xe2\xe3\xcf\xd3\n')
        offsets = {}
        for num in sorted(self.objs):
            body, stream = self.objs[num]
            offsets[num] = len(out)
            out += b'%d 0 obj\n' % num
            if stream is None:
                out += body + b'\nendobj\n'
            else:
                if security and num != enc:
                    stream = security.encrypt(num, stream)
                out += body.replace(b'%d', b'%d' % len(stream), 1)
                out += b'\nstream\n' + stream + b'\nendstream\nendobj\n'
        xref = len(out)
        size = max(self.objs) + 1
        out += b'xref\n0 %d\n0000000000 65535 f \n' % size
        for num in range(1, size):
            out += b'%010d 00000 n \n' % offsets[num] if num in offsets else b'0000000000 65535 f \n'
        trailer = b'/Size %d /Root %d 0 R' % (size, self.catalog)
        doc_id = security.id if security else b'wcindex-test-id!'
        trailer += b' /ID [<%s> <%s>]' % (doc_id.hex().encode(), doc_id.hex().encode())
        if enc:
            trailer += b' /Encrypt %d 0 R' % enc
        out += b'trailer\n<< ' + trailer + b' >>\nstartxref\n%d\n%%%%EOF\n' % xref
        return bytes(out)

    def write(self, path, security=None):
        with open(path, 'wb') as f:
            f.write(self.bytes(security))


def s(text):
    """A PDF string of text in WinAnsiEncoding."""
    out = []
    for b in text.encode('cp1252'):
        c = chr(b)
        if c in '()\\':
            out.append('\\' + c)
        elif 32 <= b < 127:
            out.append(c)
        else:
            out.append('\\%03o' % b)
    return '(' + ''.join(out) + ')'


def lines_at(x, y, lines, font='F1', size=11, lead=14):
    ops = ['BT /%s %d Tf %d TL %g %g Td' % (font, size, lead, x, y)]
    for i, line in enumerate(lines):
        ops.append(('%s Tj' if i == 0 else "%s '") % s(line))
    ops.append('ET')
    return '\n'.join(ops) + '\n'


WORDS = ('the quick brown fox jumps over lazy dog counting words lines and '
         'characters of documents in a tree into one index every scan reads '
         'only what changed since last time').split()


def prose(rng, nlines, width=11):
    return [' '.join(rng.choice(WORDS) for _ in range(rng.randint(3, width)))
            for _ in range(nlines)]


def fixtures(d):
    rng = random.Random(13)
    cases = []

    def done(name, pdf, kind='compare', **kw):
        pdf.write(os.path.join(d, name), kw.pop('security', None))
        cases.append(dict(file=name, kind=kind, **kw))

    # several pages of plain lines, in three fonts
    p = Pdf()
    for i, font in enumerate(('F1', 'F2', 'F3')):
        p.page(lines_at(72, 720, ['Page %d of the plain fixture.' % (i + 1)] + prose(rng, 30), font))
    done('plain.pdf', p)

    # the same, deflated
    p = Pdf()
    for i in range(2):
        p.page(lines_at(72, 720, prose(rng, 40)), compress=True)
    done('flate.pdf', p)

    # TJ with kerning: small gaps inside words, large ones between them
    p = Pdf()
    p.page('BT /F2 12 Tf 72 700 Td [(W) 80 (ord) -20 (s) ( with) -30 ( ker) 40 (ning)] TJ\n'
           '0 -20 Td [(gap) -600 (between) -1200 (words) -250 (and) -90 (small) -120 (ones)] TJ\n'
           '0 -20 Td [(A) 120 (V) 120 (A) -2000 (WAVE) 60 (S)] TJ\n'
           '0 -20 Td 2 Tc (letter spaced text) Tj 0 Tc\n'
           '0 -20 Td 3 Tw (word spaced text here) Tj 0 Tw ET\n'
           # one-letter words: poppler glues them ("aaa"), pdftotext too
           'BT /F1 10 Tf 72 560 Td (a a a) Tj 0 -14 Td (x y z w) Tj ET\n')
    done('kerning.pdf', p)

    # lines drawn bottom first, and the words of a line out of order
    p = Pdf()
    body = prose(rng, 25)
    ops = []
    for i in reversed(range(len(body))):
        ops.append('BT /F1 11 Tf 72 %d Td %s Tj ET' % (700 - 14 * i, s(body[i])))
    ops.append('BT /F1 11 Tf 250 300 Td (second) Tj ET BT /F1 11 Tf 72 300 Td (first) Tj ET')
    ops.append('BT /F1 11 Tf 160 300 Td (middle) Tj ET')
    p.page('\n'.join(ops) + '\n')
    done('order.pdf', p)

    # two columns of prose on two pages
    p = Pdf()
    for _ in range(2):
        p.page(lines_at(72, 720, prose(rng, 40, 6), size=10, lead=12) +
               lines_at(320, 720, prose(rng, 40, 6), size=10, lead=12))
    done('columns.pdf', p)

    # hyphenated lines: joined, the hyphen dropped; one at a column break
    p = Pdf()
    p.page(lines_at(72, 700, [
        'A paragraph whose words are hyphen-',
        'ated at the ends of its lines, as com-',
        'posers of justified text do with long',
        'words, well-known or not: a dash -',
        'alone, and a compound word well-',
        'known to readers.']) +
        lines_at(72, 560, prose(rng, 10, 6) + ['the left column ends in a hyphen-'], size=10, lead=12) +
        lines_at(320, 560, ['ated word that goes on at the top'] + prose(rng, 10, 6), size=10, lead=12))
    p.page(lines_at(72, 700, ['the last line of a page ends in hyphen-']))
    p.page(lines_at(72, 700, ['ated words, on the next page.']))
    done('hyphen.pdf', p)

    # text outside ASCII, through WinAnsiEncoding
    p = Pdf()
    p.page(lines_at(72, 700, [
        'Caf\u00e9 cr\u00e8me br\u00fbl\u00e9e, na\u00efve fa\u00e7ade, Stra\u00dfe, \u00c5ngstr\u00f6m',
        '\u201cquoted\u201d \u2018single\u2019 \u2014 dash \u2013 en \u20ac 5 \u00a3 3 \u00a5 7 \u00bd',
        '\u2022 bullet \u2026 ellipsis \u00a9 \u00ae \u2122 \u00b0C \u00b1 \u00d7 \u00f7 \u00b5',
        '\u00bfQu\u00e9? \u00a1Ol\u00e9! \u00e6\u00f8\u00e5 \u00c6\u00d8\u00c5 \u0152uvre \u0160\u017e\u0178',
    ], font='F2'))
    done('winansi.pdf', p)

    # table cells and bullet items: blocks side by side on one line
    p = Pdf()
    ops = []
    heads = ['Measure', 'Mean', 'Standard Deviation', 'Maximum']
    for j, h in enumerate(heads):
        ops.append('BT /F4 10 Tf %d 700 Td %s Tj ET' % (72 + 120 * j, s(h)))
    for i in range(8):
        row = ['Row%d' % i] + ['%d.%02d' % (rng.randint(0, 99), rng.randint(0, 99)) for _ in range(3)]
        for j, c in enumerate(row):
            ops.append('BT /F1 10 Tf %d %d Td %s Tj ET' % (72 + 120 * j, 680 - 16 * i, s(c)))
    for i, item in enumerate(prose(rng, 6, 8)):
        ops.append('BT /F1 10 Tf 72 %d Td %s Tj ET' % (500 - 16 * i, s('\u2022')))
        ops.append('BT /F1 10 Tf 84 %d Td %s Tj ET' % (500 - 16 * i, s(item)))
    p.page('\n'.join(ops) + '\n')
    done('table.pdf', p)

    # a page without text between two with
    p = Pdf()
    p.page(lines_at(72, 700, ['before the empty page']))
    p.page('0 0 1 rg 100 100 200 200 re f\n')
    p.page(lines_at(72, 700, ['after the empty page']))
    done('blank.pdf', p)

    # text turned a quarter and upside down
    p = Pdf()
    p.page('BT /F1 12 Tf 0 1 -1 0 300 200 Tm (turned a quarter of a turn) Tj ET\n'
           'BT /F1 12 Tf -1 0 0 -1 400 600 Tm (upside down text) Tj ET\n'
           'BT /F1 12 Tf 72 700 Td (upright text) Tj ET\n')
    done('rotated.pdf', p)

    # a document without pages at all: poppler finds no page tree
    done('nopages.pdf', Pdf(), 'damaged')

    # encrypted: a user password, and an empty one (opens; counted)
    body = prose(rng, 20)
    for name, user, rev, kind in (('enc-user.pdf', b'secret', 3, 'encrypted'),
                                  ('enc-user-r2.pdf', b'secret', 2, 'encrypted'),
                                  ('enc-empty.pdf', b'', 3, 'compare'),
                                  ('enc-empty-r2.pdf', b'', 2, 'compare')):
        p = Pdf()
        p.page(lines_at(72, 700, body))
        done(name, p, kind, security=Security(user, b'owner', rev))
    # copying not allowed (P without bit 5): text is counted all the same
    p = Pdf()
    p.page(lines_at(72, 700, body))
    done('enc-nocopy.pdf', p, security=Security(b'', b'owner', 3, perms=-4 & ~16))

    # the header may come late, as long as it is within 1024 bytes
    p = Pdf()
    p.page(lines_at(72, 700, prose(rng, 5)))
    raw = p.bytes()
    for name, junk, kind in (('late-header.pdf', 1000, 'compare'),
                             ('too-late-header.pdf', 1030, 'text')):
        with open(os.path.join(d, name), 'wb') as f:
            f.write(b'\n' * junk + raw)
        cases.append(dict(file=name, kind=kind))

    with open(os.path.join(d, 'manifest.json'), 'w') as f:
        json.dump({'cases': cases}, f, indent=1)


def big(path, npages):
    rng = random.Random(7)
    p = Pdf()
    for i in range(npages):
        p.page(lines_at(72, 740, prose(rng, 50, 12), size=10, lead=13), compress=True)
    p.write(path)


# ------------------------------------------------------------- hostile ----

def hostile(d):
    rng = random.Random(1313)
    base = []
    r2 = random.Random(5)
    for n in (1, 3):
        p = Pdf()
        for _ in range(n):
            p.page(lines_at(72, 700, prose(r2, 12)), compress=(n == 3))
        base.append(p.bytes())
    p = Pdf()
    p.page(lines_at(72, 700, prose(r2, 12)))
    base.append(p.bytes(Security(b'', b'owner', 3)))
    count = 0

    def out(data):
        nonlocal count
        with open(os.path.join(d, 'h%03d.pdf' % count), 'wb') as f:
            f.write(data)
        count += 1

    for _ in range(160):            # seeded byte flips
        b = bytearray(rng.choice(base))
        for _ in range(rng.choice((1, 2, 5, 20, 100))):
            b[rng.randrange(len(b))] = rng.randrange(256)
        out(bytes(b))
    for _ in range(50):             # truncations
        b = rng.choice(base)
        out(b[:rng.randrange(len(b))])
    for _ in range(20):             # broken xref: offsets and startxref lie
        b = rng.choice(base)
        i = b.rindex(b'xref\n')
        tail = b[i:].replace(b' 00000 n', b' 00000 %s' % rng.choice((b'n', b'f', b'x')))
        tail = tail.replace(b'startxref\n', b'startxref\n%d' % rng.randrange(10 ** 6))
        body = b[:i]
        if rng.random() < 0.5:
            body = body.replace(b'obj', b'obk', rng.randint(1, 3))
        out(body + tail)
    b0 = base[0]
    for big_n in (b'2147483647', b'4294967296', b'999999999', b'-1'):
        out(b0.replace(b'/Count 1', b'/Count ' + big_n))
        out(b0.replace(b'/Size ', b'/Size ' + big_n + b' /X '))
        x = b0.rindex(b'xref\n0 ')
        out(b0[:x] + b0[x:].replace(b'xref\n0 ', b'xref\n0 ' + big_n + b' ', 1))
    for depth in (1000, 100000, 1000000):
        out(b'%PDF-1.4\n1 0 obj\n' + b'[' * depth + b'\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n')
        out(b'%PDF-1.4\n1 0 obj\n' + b'<< /A ' * depth + b'\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n')
        p = Pdf()
        p.page('BT /F1 11 Tf 72 700 Td ' + '[' * depth + ' (deep) Tj ET\n', compress=True)
        out(p.bytes())
        p = Pdf()
        p.page('q ' * depth + 'BT /F1 11 Tf 72 700 Td (saved) Tj ET\n', compress=True)
        out(p.bytes())
    # page trees that loop: a Pages node among its own kids, two that hold each other
    i = b0.index(b'/Kids [')
    out(b0[:i] + b0[i:].replace(b'/Kids [', b'/Kids [2 0 R ', 1))
    p = Pdf()
    p.page(lines_at(72, 700, ['looping tree']))
    raw = p.bytes()
    loop = raw.replace(b'/Type /Pages /Kids [', b'/Type /Pages /Kids [%d 0 R ' % p.root_pages)
    out(loop)
    out(raw.replace(b'/Parent %d 0 R' % p.root_pages, b'/Parent %d 0 R /Type /Pages /Kids [%d 0 R]'
                    % (p.root_pages, p.root_pages)))
    out(raw.replace(b'/Count 1', b'/Count 1000000'))
    # a form XObject that draws itself
    p = Pdf()
    form = p.add(b'<< /Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources << /XObject << /X1 %d 0 R >> >> /Length %%d >>' % p.next,
                 b'BT /F1 11 Tf 72 700 Td (again) Tj ET /X1 Do')
    p.resources = p.resources[:-2] + b' /XObject << /X1 %d 0 R >> >>' % form
    p.page('/X1 Do BT /F1 11 Tf 72 600 Td (page) Tj ET\n')
    out(p.bytes())
    # a stream that claims to be longer than the file, a bomb of zeros
    out(b0.replace(b'/Length ', b'/Length 99999999999 /L ', 1))
    p = Pdf()
    p.page(zlib.compress(b'BT /F1 11 Tf 72 700 Td (bomb) Tj ET\n' + b' ' * (64 << 20), 9))
    raw = p.bytes()
    out(raw.replace(b'/Length', b'/Filter /FlateDecode /Length', 1))
    # nothing but the header; a header late in the head
    out(b'%PDF-1.7\n')
    out(b'x' * 1000 + b'%PDF-1.4\n' + b0[9:])
    print(count)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == '--hostile':
        hostile(sys.argv[2])
    elif len(sys.argv) == 4 and sys.argv[1] == '--big':
        big(sys.argv[2], int(sys.argv[3]))
    elif len(sys.argv) == 2:
        fixtures(sys.argv[1])
    else:
        sys.exit(__doc__)


if __name__ == '__main__':
    main()
