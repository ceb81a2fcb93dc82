"""The document corpus of `make bench`: N documents of each format (docx,
odt, epub, html, pdf), document i of every format holding the same text,
in DIR/FORMAT/.  The text is deterministic: paragraphs of words drawn from
a fixed vocabulary (Latin and accented letters, some punctuation), about
2,500 words a document.  Usage: gendocs.py DIR N."""
import os, random, sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, '..', 'tests'))
import docwriters as dw  # noqa: E402

WRITERS = {
    'docx': dw.docx, 'odt': dw.odt, 'html': dw.html,
    'epub': lambda paras: dw.epub([paras[i:i + 10]
                                   for i in range(0, len(paras), 10)]),
}
VOCAB = ('the of and to in is was that for it with as his on be at by had '
         'word count text document caf\u00e9 na\u00efve \u00e9t\u00e9 '
         'r\u00e9sum\u00e9 stra\u00dfe archive index (note) "quoted" '
         'well-known 1984 3.14 end.').split()


def paragraphs(rnd):
    paras = []
    for _ in range(rnd.randint(30, 50)):
        paras.append(' '.join(rnd.choice(VOCAB)
                              for _ in range(rnd.randint(20, 100))))
    return paras


def pdf_lines(paras, width=90):
    """The paragraphs broken into lines for the PDF, an empty one between."""
    lines = []
    for p in paras:
        line = ''
        for w in p.split():
            if line and len(line) + 1 + len(w) > width:
                lines.append(line)
                line = w
            else:
                line = line + ' ' + w if line else w
        lines += [line, '']
    return lines


def main():
    out, n = sys.argv[1], int(sys.argv[2])
    rnd = random.Random(1)
    for fmt in list(WRITERS) + ['pdf']:
        os.makedirs(os.path.join(out, fmt), exist_ok=True)
    for i in range(n):
        paras = paragraphs(rnd)
        for fmt, write in WRITERS.items():
            with open(os.path.join(out, fmt, 'd%04d.%s' % (i, fmt)), 'wb') as f:
                f.write(write(paras))
        with open(os.path.join(out, 'pdf', 'd%04d.pdf' % i), 'wb') as f:
            f.write(dw.pdf(pdf_lines(paras)))


main()
