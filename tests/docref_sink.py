"""The text sink's layout rule (src/formats/sink.h), in python, for the
reference extractors of the tests: each format's reference calls text(),
verbatim(), space() and brk() as the C module calls sink_text() and the
rest, and counts() gives what wcindex must store."""

WS = ' \t\n\r\f'


class Sink:
    def __init__(self):
        self.out = []
        self.line_has_text = False
        self.pending = False

    def _before_text(self):
        if self.pending and self.line_has_text:
            self.out.append(' ')
        self.pending = False
        self.line_has_text = True

    def text(self, s):
        for ch in s:
            if ch in WS:
                self.pending = True
                continue
            self._before_text()
            self.out.append(ch)

    def verbatim(self, s):
        for ch in s:
            if not self.line_has_text or self.pending:
                self._before_text()
            self.out.append(ch)
            if ch == '\n':
                self.line_has_text = False

    def space(self):
        self.pending = True

    def brk(self):
        if self.line_has_text:
            self.out.append('\n')
        self.line_has_text = False
        self.pending = False

    def finish(self):
        self.brk()
        return ''.join(self.out)


def counts(text):
    """bytes, lines, words, chars of extracted text, as the kernel counts
    them in UTF-8 mode (text must be a str: surrogateescape'd bytes
    allowed)."""
    data = text.encode('utf-8', 'surrogateescape')
    return (len(data), text.count('\n'), len(text.split()), len(text))
