"""What tests/doc-count says of a file that may be a document, for the
python checks of tests/lib.sh (check_index, py_totals)."""
import os, subprocess

HTML_EXTS = (b'.html', b'.htm', b'.xhtml', b'.xht', b'.shtml')
OLE2 = bytes.fromhex('d0cf11e0a1b11ae1')


def doc_counts(path, data, ascii_mode=False):
    """(lines, words, chars, bytes, status) of the document at path (whose
    bytes are data), or None when it is counted as its bytes.  Only files
    whose head or name says they may be documents are asked about."""
    name = os.path.basename(path).lower()
    head = data[:4096].lower()
    if not (data[:4] == b'PK\x03\x04' or b'%PDF-' in data[:1024] or
            data[:8] == OLE2 or name.endswith(HTML_EXTS) or
            b'<html' in head or b'<!doctype html' in head):
        return None
    dc = os.environ.get('DOC_COUNT')
    if not dc:
        return None
    out = subprocess.run([dc] + (['--ascii'] if ascii_mode else []) + [path],
                         capture_output=True).stdout.split()
    if len(out) < 6 or out[0] == b'text':
        return None
    return tuple(int(x) for x in out[2:6]) + (out[1].decode(),)
