#!/usr/bin/env python3
"""gen-archives.py - write the archive fixtures of wcindex's tests.

usage: gen-archives.py DIR

Writes into DIR (created if need be) archives and compressed files of every
kind src/archive.c reads, nested ones, hostile ones (path traversal names,
links, a name with a newline, invalid UTF-8, a truncated stream, a bad CRC,
expansion bombs) and files that only look like archives by their name.  The
same run always writes the same bytes: fixed mtimes, fixed member order, no
randomness.

Beside them it writes what src/archive.c must report for each, computed
here over the member bytes the plain python way (see tests/pycount.py):

  manifest.json  for people and scripts;
  manifest.tsv   the same cases in a form a C test reads without a JSON
                 parser, one record per line, fields separated by tabs:

    case NAME FILE SNIFF MODE MEMBER_BYTES TOTAL_BYTES RATIO MEMBERS DEPTH
         RET STATUS CHECK
    member NAME_HEX KIND STATUS LINES WORDS CHARS BYTES FLAGS MTIME_NS TARGET_HEX
    doc LINES WORDS CHARS BYTES FLAGS
    end

  SNIFF is none, container or compressed (archive_sniff()); MODE utf8 or
  ascii; RET the return of archive_count() (0 or -1); STATUS the summary's
  status (ok, limit, error); CHECK "exact" (the members reported are exactly
  these) or "prefix" (the members reported are a prefix of these, and the
  last one reported may be cut short by the limit).  A "-" stands for a
  value that cannot be predicted (the partial counts of a member broken
  part way, a zip's mtime, which libarchive converts from local time), and
  for "no link target".  Names are hex because they may hold any byte.

Only the python3 standard library is used.  Formats it cannot write (7z,
compress, zstd when the `zstd` program is missing) are written through
libarchive with ctypes when libarchive can be loaded; otherwise those
fixtures are skipped with a note on stderr, and left out of the manifests.
The ISO 9660 image is built by hand.
"""

import bz2
import ctypes
import ctypes.util
import gzip
import io
import json
import lzma
import os
import random
import shutil
import struct
import subprocess
import sys
import tarfile
import tempfile
import zipfile
import zlib

MTIME = 1700000000            # every member's mtime (2023-11-14)
ZIP_TIME = (2023, 11, 14, 22, 13, 20)
KIB = 1024
MIB = 1024 * 1024

DEFAULT_LIMITS = dict(member_bytes=1 << 30, total_bytes=4 << 30, ratio=1000,
                      members=100000, depth=4)

BINARY_WINDOW = 8192
F_BINARY = 1
F_INVALID_UTF8 = 2


def note(msg):
    sys.stderr.write('gen-archives.py: %s\n' % msg)


# ------------------------------------------------------------ counting ----

def count(data, ascii_mode=False):
    """What wcindex must count for data: (lines, words, chars, bytes, flags)."""
    flags = F_BINARY if b'\0' in data[:BINARY_WINDOW] else 0
    lines = data.count(b'\n')
    if ascii_mode:
        return lines, len(data.split()), len(data), len(data), flags
    text = data.decode('utf-8', 'surrogateescape')
    try:
        data.decode('utf-8', 'strict')
    except UnicodeDecodeError:
        flags |= F_INVALID_UTF8
    return lines, len(text.split()), len(text), len(data), flags


# ------------------------------------------------------------ contents ----

TEXTS = {
    'en': 'The quick brown fox jumps over the lazy dog.\n'
          'Pack my box with five dozen liquor jugs.\n',
    'fr': 'Voix ambiguë d\u2019un cœur qui, au zéphyr, préfère les jattes '
          'de kiwis.\nÇa déçoit, naïveté\u00a0!\n',
    'de': 'Falsches Üben von Xylophonmusik quält jeden größeren Zwerg.\n',
    'el': 'Ξεσκεπάζω την ψυχοφθόρα βδελυγμία.\n',
    'ru': 'Съешь же ещё этих мягких французских булок, да выпей чаю.\n',
    'he': 'דג סקרן שט בים מאוכזב ולפתע מצא חברה.\n',
    'ar': 'نص حكيم له سر قاطع وذو شأن عظيم مكتوب على ثوب أخضر.\n',
    'ja': 'いろはにほへと\u3000ちりぬるを\u3000わかよたれそ\u3000つねならむ\n',
    'zh': '我能吞下玻璃而不伤身体。\n',
    'ko': '다람쥐 헌 쳇바퀴에 타고파.\n',
    'emoji': '👩\u200d💻 coding ☕ at 3\u2009am 😀\u2028done\n',
}


def text_bytes(lang, times=1):
    return (TEXTS[lang] * times).encode('utf-8')


def big_text(size=200 * KIB):
    """About size bytes of text with a multi-byte character or space cut by
    every multiple of 64 KiB, so that the pieces libarchive hands out split
    them too."""
    cutters = ['😀'.encode(), '\u3000'.encode(), 'é'.encode(),
               '日'.encode()]
    out = bytearray()
    words = b'lorem ipsum dolor sit amet consectetur adipiscing elit '
    k = 1
    while 64 * KIB * k < size:
        seq = cutters[(k - 1) % len(cutters)]
        # stop one byte before the boundary: the sequence straddles it
        target = 64 * KIB * k - 1
        while len(out) + len(words) <= target:
            out += words
        out += b'x' * (target - len(out))
        out += seq
        k += 1
    while len(out) + len(words) < size - 5:
        out += words
    out += b'\nend\n'
    return bytes(out)


def bad_utf8():
    return (b'valid start \x80 stray \xc0\xaf overlong \xed\xa0\x80 '
            b'surrogate \xf4\x90\x80\x80 too big \xe2\x82 cut\n')


def binary_blob():
    return bytes(range(256)) * 4


# A plain member list shared by the flat containers: (name, data).
def std_members():
    m = [('README.txt', text_bytes('en', 3))]
    for lang in ('fr', 'de', 'el', 'ru', 'he', 'ar', 'ja', 'zh', 'ko',
                 'emoji'):
        m.append(('i18n/%s.txt' % lang, text_bytes(lang, 2)))
    m += [
        ('empty.txt', b''),
        ('crlf.txt', b'one two\r\nthree\r\nfour  five\r\n'),
        ('no-final-newline.txt', b'last line without newline'),
        ('bad-utf8.txt', bad_utf8()),
        ('binary.bin', binary_blob()),
        ('big.txt', big_text()),
    ]
    return m


# ------------------------------------------------------------- entries ----
#
# An entry is what a container holds, in order: a dict with kind "file",
# "dir", "symlink", "hardlink" or "other", a name (bytes), data (bytes) and
# a link target (bytes).  expect() turns a list of entries into the members
# archive_count() must report.

def ent_file(name, data):
    return dict(kind='file', name=_b(name), data=data, target=None)


def ent_dir(name):
    return dict(kind='dir', name=_b(name), data=b'', target=None)


def ent_symlink(name, target):
    return dict(kind='symlink', name=_b(name), data=b'', target=_b(target))


def ent_hardlink(name, target):
    return dict(kind='hardlink', name=_b(name), data=b'', target=_b(target))


def ent_other(name):
    return dict(kind='other', name=_b(name), data=b'', target=None)


def _b(s):
    return s if isinstance(s, bytes) else s.encode('utf-8')


def _s(b):
    return b.decode('utf-8', 'surrogateescape')


def std_entries(with_dirs=True):
    out = []
    seen = set()
    for name, data in std_members():
        if with_dirs and '/' in name:
            d = name.rsplit('/', 1)[0] + '/'
            if d not in seen:
                seen.add(d)
                out.append(ent_dir(d))
        out.append(ent_file(name, data))
    return out


# --------------------------------------------------------------- writers ----

def tar_bytes(entries, fmt=tarfile.PAX_FORMAT):
    bio = io.BytesIO()
    with tarfile.open(fileobj=bio, mode='w', format=fmt, encoding='utf-8',
                      errors='surrogateescape') as t:
        for e in entries:
            ti = tarfile.TarInfo(_s(e['name']))
            ti.mtime = MTIME
            ti.uid = ti.gid = 0
            ti.uname = ti.gname = 'root'
            if e['kind'] == 'file':
                ti.size = len(e['data'])
                ti.mode = 0o644
                t.addfile(ti, io.BytesIO(e['data']))
            elif e['kind'] == 'dir':
                ti.name = ti.name.rstrip('/')
                ti.type = tarfile.DIRTYPE
                ti.mode = 0o755
                t.addfile(ti)
            elif e['kind'] == 'symlink':
                ti.type = tarfile.SYMTYPE
                ti.linkname = _s(e['target'])
                ti.mode = 0o777
                t.addfile(ti)
            elif e['kind'] == 'hardlink':
                ti.type = tarfile.LNKTYPE
                ti.linkname = _s(e['target'])
                ti.mode = 0o644
                t.addfile(ti)
            elif e['kind'] == 'other':
                ti.type = tarfile.FIFOTYPE
                ti.mode = 0o644
                t.addfile(ti)
    return bio.getvalue()


def zip_bytes(entries, stored=()):
    """A zip; files named in stored are not compressed."""
    bio = io.BytesIO()
    with zipfile.ZipFile(bio, 'w') as z:
        for e in entries:
            name = _s(e['name'])
            if e['kind'] == 'dir':
                zi = zipfile.ZipInfo(name, ZIP_TIME)
                zi.external_attr = (0o40755 << 16) | 0x10
                z.writestr(zi, b'')
            elif e['kind'] == 'symlink':
                zi = zipfile.ZipInfo(name, ZIP_TIME)
                zi.create_system = 3
                zi.external_attr = 0o120777 << 16
                z.writestr(zi, e['target'])
            elif e['kind'] == 'file':
                zi = zipfile.ZipInfo(name, ZIP_TIME)
                zi.create_system = 3
                zi.external_attr = 0o100644 << 16
                zi.compress_type = (zipfile.ZIP_STORED if name in stored
                                    else zipfile.ZIP_DEFLATED)
                z.writestr(zi, e['data'])
            else:
                raise ValueError('zip cannot hold %s' % e['kind'])
    return bio.getvalue()


def cpio_bytes(entries):
    """A cpio archive in the SVR4 "newc" format (070701), written by hand."""
    out = bytearray()

    def pad4():
        while len(out) % 4:
            out.append(0)

    def member(ino, name, mode, data, nlink=1):
        fields = [ino, mode, 0, 0, nlink, MTIME, len(data), 0, 0, 0, 0,
                  len(name) + 1, 0]
        out.extend(b'070701' + b''.join(b'%08X' % f for f in fields))
        out.extend(name + b'\0')
        pad4()
        out.extend(data)
        pad4()

    ino = 1
    for e in entries:
        if e['kind'] == 'file' and 'ino' in e:
            # hard links: every name has the inode, the last the data
            member(e['ino'], e['name'], 0o100644, e['data'], e['nlink'])
        elif e['kind'] == 'file':
            member(ino, e['name'], 0o100644, e['data'])
        elif e['kind'] == 'dir':
            member(ino, e['name'].rstrip(b'/'), 0o40755, b'', 2)
        elif e['kind'] == 'symlink':
            member(ino, e['name'], 0o120777, e['target'])
        else:
            raise ValueError('cpio fixture cannot hold %s' % e['kind'])
        ino += 1
    member(0, b'TRAILER!!!', 0, b'')
    # cpio pads the archive to a multiple of 512 bytes
    while len(out) % 512:
        out.append(0)
    return bytes(out)


def iso_bytes(files):
    """A minimal ISO 9660 image (level 1 names, one root directory, no Rock
    Ridge or Joliet) holding files, a list of (NAME, data) with names in
    the 8.3 d-character set.  libarchive reports the names without the
    ";1" version."""
    SECTOR = 2048

    def both16(v):
        return struct.pack('<H', v) + struct.pack('>H', v)

    def both32(v):
        return struct.pack('<I', v) + struct.pack('>I', v)

    # 2023-11-14 22:13:20 UTC, as a directory record's 7-byte date
    rec_date = bytes([123, 11, 14, 22, 13, 20, 0])
    vol_date = b'2023111422132000' + b'\0'

    def dirrec(name, extent, size, is_dir):
        rec = bytearray()
        rec.append(0)                      # length, set below
        rec.append(0)
        rec += both32(extent) + both32(size) + rec_date
        rec.append(2 if is_dir else 0)
        rec += b'\0\0' + both16(1)
        rec.append(len(name))
        rec += name
        if len(name) % 2 == 0:
            rec.append(0)
        rec[0] = len(rec)
        return bytes(rec)

    pt_lba, ptm_lba, root_lba = 18, 19, 20
    data_lba = 21
    extents = []
    lba = data_lba
    for name, data in files:
        extents.append(lba)
        lba += max(1, (len(data) + SECTOR - 1) // SECTOR)
    total = lba

    root = bytearray()
    root += dirrec(b'\0', root_lba, SECTOR, True)
    root += dirrec(b'\1', root_lba, SECTOR, True)
    for (name, data), ext in zip(files, extents):
        root += dirrec(name.encode('ascii') + b';1', ext, len(data), False)
    assert len(root) <= SECTOR
    root += b'\0' * (SECTOR - len(root))

    pvd = bytearray(SECTOR)
    pvd[0] = 1
    pvd[1:6] = b'CD001'
    pvd[6] = 1
    pvd[8:40] = b'WCINDEX'.ljust(32)
    pvd[40:72] = b'FIXTURE'.ljust(32)
    pvd[80:88] = both32(total)
    pvd[120:124] = both16(1)
    pvd[124:128] = both16(1)
    pvd[128:132] = both16(SECTOR)
    pvd[132:140] = both32(10)
    pvd[140:144] = struct.pack('<I', pt_lba)
    pvd[148:152] = struct.pack('>I', ptm_lba)
    pvd[156:190] = dirrec(b'\0', root_lba, SECTOR, True)
    for a, b in ((190, 318), (318, 446), (446, 574), (574, 702),
                 (702, 739), (739, 776), (776, 813)):
        pvd[a:b] = b' ' * (b - a)
    pvd[813:830] = vol_date
    pvd[830:847] = vol_date
    pvd[847:864] = b'0' * 16 + b'\0'
    pvd[864:881] = b'0' * 16 + b'\0'
    pvd[881] = 1

    term = bytearray(SECTOR)
    term[0] = 255
    term[1:6] = b'CD001'
    term[6] = 1

    ptl = bytearray(SECTOR)
    ptl[0:10] = bytes([1, 0]) + struct.pack('<I', root_lba) + \
        struct.pack('<H', 1) + b'\0\0'
    ptm = bytearray(SECTOR)
    ptm[0:10] = bytes([1, 0]) + struct.pack('>I', root_lba) + \
        struct.pack('>H', 1) + b'\0\0'

    img = bytearray(16 * SECTOR)
    img += pvd + term + ptl + ptm + root
    for (name, data), ext in zip(files, extents):
        assert len(img) == ext * SECTOR
        img += data
        while len(img) % SECTOR or len(img) == ext * SECTOR:
            img.append(0)
    assert len(img) == total * SECTOR
    return bytes(img)


# ---------------------------------------------------- through libarchive ----

class LibArchive:
    """Writers the standard library lacks (7z, compress, zstd), from
    libarchive through ctypes."""

    AE_IFREG = 0o100000
    AE_IFDIR = 0o040000

    def __init__(self):
        name = ctypes.util.find_library('archive')
        self.lib = None
        for cand in ([name] if name else []) + ['libarchive.so.13']:
            try:
                self.lib = ctypes.CDLL(cand)
                break
            except OSError:
                continue
        if not self.lib:
            return
        L = self.lib
        vp, cp, ci, i64 = (ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int,
                           ctypes.c_int64)
        for fn, res, args in (
                ('archive_write_new', vp, []),
                ('archive_write_free', ci, [vp]),
                ('archive_write_close', ci, [vp]),
                ('archive_write_set_format_7zip', ci, [vp]),
                ('archive_write_set_format_raw', ci, [vp]),
                ('archive_write_add_filter_compress', ci, [vp]),
                ('archive_write_add_filter_zstd', ci, [vp]),
                ('archive_write_set_options', ci, [vp, cp]),
                ('archive_write_open_filename', ci, [vp, cp]),
                ('archive_write_header', ci, [vp, vp]),
                ('archive_write_data', ctypes.c_ssize_t,
                 [vp, cp, ctypes.c_size_t]),
                ('archive_error_string', cp, [vp]),
                ('archive_entry_new', vp, []),
                ('archive_entry_free', None, [vp]),
                ('archive_entry_copy_pathname', None, [vp, cp]),
                ('archive_entry_set_size', None, [vp, i64]),
                ('archive_entry_set_filetype', None, [vp, ctypes.c_uint]),
                ('archive_entry_set_perm', None, [vp, ctypes.c_uint]),
                ('archive_entry_set_mtime', None,
                 [vp, ctypes.c_long, ctypes.c_long])):
            f = getattr(L, fn)
            f.restype = res
            f.argtypes = args

    def ok(self):
        return self.lib is not None

    def _write(self, setup, entries):
        L = self.lib
        fd, path = tempfile.mkstemp(prefix='gen-archives.')
        os.close(fd)
        a = L.archive_write_new()
        try:
            for step in setup:
                r = step(a)
                if r != 0:
                    raise RuntimeError(L.archive_error_string(a))
            if L.archive_write_open_filename(a, path.encode()) != 0:
                raise RuntimeError(L.archive_error_string(a))
            for e in entries:
                ent = L.archive_entry_new()
                L.archive_entry_copy_pathname(ent, e['name'])
                L.archive_entry_set_mtime(ent, MTIME, 0)
                if e['kind'] == 'dir':
                    L.archive_entry_set_filetype(ent, self.AE_IFDIR)
                    L.archive_entry_set_perm(ent, 0o755)
                else:
                    L.archive_entry_set_filetype(ent, self.AE_IFREG)
                    L.archive_entry_set_perm(ent, 0o644)
                    L.archive_entry_set_size(ent, len(e['data']))
                if L.archive_write_header(a, ent) != 0:
                    raise RuntimeError(L.archive_error_string(a))
                if e['kind'] == 'file' and e['data']:
                    n = L.archive_write_data(a, e['data'], len(e['data']))
                    if n != len(e['data']):
                        raise RuntimeError(L.archive_error_string(a))
                L.archive_entry_free(ent)
            if L.archive_write_close(a) != 0:
                raise RuntimeError(L.archive_error_string(a))
            with open(path, 'rb') as f:
                return f.read()
        finally:
            L.archive_write_free(a)
            os.unlink(path)

    def sevenzip(self, entries):
        L = self.lib
        return self._write([L.archive_write_set_format_7zip], entries)

    def compress(self, data, filt):
        """data through the 'compress' or 'zstd' filter."""
        L = self.lib
        add = {'compress': L.archive_write_add_filter_compress,
               'zstd': L.archive_write_add_filter_zstd}[filt]
        return self._write([L.archive_write_set_format_raw, add],
                           [ent_file('data', data)])


def zstd_bytes(data, la):
    if shutil.which('zstd'):
        p = subprocess.run(['zstd', '-q', '-c', '-19', '--no-check'],
                           input=data, stdout=subprocess.PIPE, check=True)
        return p.stdout
    if la.ok():
        try:
            return la.compress(data, 'zstd')
        except RuntimeError as e:
            note('libarchive cannot write zstd (%s)' % e)
    return None


def compress_bytes(data, la):
    if la.ok():
        try:
            return la.compress(data, 'compress')
        except RuntimeError as e:
            note('libarchive cannot write compress (%s)' % e)
    return None


def sevenzip_bytes(entries, la):
    if la.ok():
        try:
            return la.sevenzip(entries)
        except RuntimeError as e:
            note('libarchive cannot write 7z (%s)' % e)
    return None


# ----------------------------------------------------------- expectations ----

class Limits:
    def __init__(self, **kw):
        d = dict(DEFAULT_LIMITS)
        d.update(kw)
        self.__dict__.update(d)

    def tsv(self):
        return [self.member_bytes, self.total_bytes, self.ratio,
                self.members, self.depth]


NAME_MAX = 4096                # ARCHIVE_NAME_MAX


def stored_name(name, ordinal):
    """A member path as the index stores it: past NAME_MAX bytes it is cut
    (never inside a UTF-8 character) and marked with its length and its
    header's ordinal in the archive."""
    if len(name) <= NAME_MAX:
        return name
    keep = NAME_MAX
    while keep and (name[keep] & 0xc0) == 0x80:
        keep -= 1
    return name[:keep] + ('\u2026[cut: %d bytes, member %d]'
                          % (len(name), ordinal)).encode()


def member(name, kind, status='ok', data=None, counts=None, mtime=True,
           target=None, ascii_mode=False):
    if counts is None and data is not None:
        counts = count(data, ascii_mode)
    if counts is None:
        counts = (0, 0, 0, 0, 0)
    return dict(name=name, kind=kind, status=status, counts=counts,
                mtime_ns=(MTIME * 10**9 if mtime is True else mtime),
                target=target)


def expect_flat(entries, lim, ascii_mode=False, prefix=b'', mtime=True):
    """The members archive_count() reports for a container without nested
    archives, and its status: every header counts toward lim.members,
    every byte produced (read or skipped) toward lim.total_bytes."""
    out = []
    produced = 0
    status = 'ok'
    for n, e in enumerate(entries, 1):
        if n > lim.members:
            return out, 'limit'
        name = prefix + e['name']
        if e['kind'] in ('symlink', 'hardlink'):
            out.append(member(name, 'link', target=e['target'], mtime=mtime))
            continue
        if e['kind'] != 'file':
            continue
        data = e['data']
        room = lim.total_bytes - produced
        if len(data) > room:
            cut = data[:min(room, lim.member_bytes)]
            out.append(member(name, 'file', 'limit', cut, mtime=mtime,
                              ascii_mode=ascii_mode))
            return out, 'limit'
        produced += len(data)
        if len(data) > lim.member_bytes:
            out.append(member(name, 'file', 'limit',
                              data[:lim.member_bytes], mtime=mtime,
                              ascii_mode=ascii_mode))
            status = 'limit'
        else:
            out.append(member(name, 'file', 'ok', data, mtime=mtime,
                              ascii_mode=ascii_mode))
    return out, status


# ------------------------------------------------------------- manifest ----

class Manifest:
    def __init__(self):
        self.cases = []

    def add(self, case, fname, sniff, members=None, doc=None, lim=None,
            ret=0, status='ok', check='exact', mode='utf8'):
        self.cases.append(dict(case=case, file=fname, sniff=sniff,
                               mode=mode, limits=(lim or Limits()).__dict__,
                               ret=ret, status=status, check=check,
                               members=members or [], document=doc))

    def write(self, d):
        def cnt(c):
            return ['-' if v is None else str(v) for v in c]

        lines = []
        for c in self.cases:
            lim = c['limits']
            lines.append('\t'.join(
                ['case', c['case'], c['file'], c['sniff'], c['mode']] +
                [str(lim[k]) for k in ('member_bytes', 'total_bytes',
                                       'ratio', 'members', 'depth')] +
                [str(c['ret']), c['status'], c['check']]))
            for m in c['members']:
                mt = m['mtime_ns']
                lines.append('\t'.join(
                    ['member', m['name'].hex() or '-', m['kind'],
                     m['status']] + cnt(m['counts']) +
                    ['-' if mt is None else str(mt),
                     m['target'].hex() if m['target'] is not None
                     else '-']))
            if c['document'] is not None:
                lines.append('\t'.join(['doc'] + cnt(c['document'])))
            lines.append('end')
        with open(os.path.join(d, 'manifest.tsv'), 'w') as f:
            f.write(''.join(l + '\n' for l in lines))

        def jname(b):
            return dict(text=b.decode('utf-8', 'replace'), hex=b.hex())

        js = []
        for c in self.cases:
            jc = dict(c)
            jc['members'] = [
                dict(name=jname(m['name']), kind=m['kind'],
                     status=m['status'],
                     counts=dict(zip(('lines', 'words', 'chars', 'bytes',
                                      'flags'), m['counts'])),
                     mtime_ns=m['mtime_ns'],
                     link_target=(jname(m['target'])
                                  if m['target'] is not None else None))
                for m in c['members']]
            if c['document'] is not None:
                jc['document'] = dict(zip(('lines', 'words', 'chars',
                                           'bytes', 'flags'), c['document']))
            js.append(jc)
        with open(os.path.join(d, 'manifest.json'), 'w') as f:
            json.dump(dict(nest_sep='!/', cases=js), f, indent=1,
                      sort_keys=True)
            f.write('\n')


# ----------------------------------------------------------------- main ----

def gz(data, level=9):
    return gzip.compress(data, compresslevel=level, mtime=0)


def main(argv):
    if len(argv) != 2:
        sys.stderr.write('usage: gen-archives.py DIR\n')
        return 2
    d = argv[1]
    os.makedirs(d, exist_ok=True)
    la = LibArchive()
    if not la.ok():
        note('libarchive not found by ctypes: no 7z, compress and maybe '
             'no zstd fixtures')
    man = Manifest()

    def put(name, data):
        with open(os.path.join(d, name), 'wb') as f:
            f.write(data)

    std = std_entries()
    flat, _ = expect_flat(std, Limits())
    flat_nomtime, _ = expect_flat(std, Limits(), mtime=None)
    tar = tar_bytes(std)

    # --- flat containers, plain and compressed
    put('plain.tar', tar)
    man.add('plain.tar', 'plain.tar', 'container', flat)
    put('t.tar.gz', gz(tar))
    man.add('t.tar.gz', 't.tar.gz', 'compressed', flat)
    put('t.tar.bz2', bz2.compress(tar, 9))
    man.add('t.tar.bz2', 't.tar.bz2', 'compressed', flat)
    put('t.tar.xz', lzma.compress(tar, preset=6))
    man.add('t.tar.xz', 't.tar.xz', 'compressed', flat)
    zst = zstd_bytes(tar, la)
    if zst is not None:
        put('t.tar.zst', zst)
        man.add('t.tar.zst', 't.tar.zst', 'compressed', flat)
    else:
        note('no zstd writer: skipping t.tar.zst')
    z = compress_bytes(tar, la)
    if z is not None:
        put('t.tar.Z', z)
        man.add('t.tar.Z', 't.tar.Z', 'compressed', flat)
    else:
        note('no compress writer: skipping t.tar.Z')
    put('gnu.tar', tar_bytes(std, tarfile.GNU_FORMAT))
    man.add('gnu.tar', 'gnu.tar', 'container', flat)

    # zip: a stored member among deflated ones; zip mtimes are DOS local
    # time, which libarchive converts with the local time zone
    put('t.zip', zip_bytes(std, stored=('README.txt', 'binary.bin')))
    man.add('t.zip', 't.zip', 'container', flat_nomtime)
    put('empty.zip', zip_bytes([]))
    man.add('empty.zip', 'empty.zip', 'container', [])

    sz = sevenzip_bytes(std, la)
    if sz is not None:
        put('t.7z', sz)
        # libarchive's 7z writer stores the empty files after the others
        man.add('t.7z', 't.7z', 'container',
                [m for m in flat if m['counts'][3]] +
                [m for m in flat if not m['counts'][3]])
    else:
        note('no 7z writer: skipping t.7z')

    cpio_ents = std + [ent_symlink('link-to-readme', 'README.txt')]
    put('t.cpio', cpio_bytes(cpio_ents))
    cflat, _ = expect_flat(cpio_ents, Limits())
    man.add('t.cpio', 't.cpio', 'container', cflat)

    # libarchive hands out ISO 9660 files by the position of their data,
    # empty ones last
    # a sparse member (pax format 1.0, written by hand: tarfile cannot):
    # holes longer than libarchive's blocks, one at the end too
    chunk = text_bytes('en', 100)
    real = 200 * KIB
    at = 100 * KIB
    smap = b'1\n%d\n%d\n' % (at, len(chunk))
    smap += b'\0' * (-len(smap) % 512)
    sp = tarfile.TarInfo('sparse.txt')
    sp.mtime = MTIME
    sp.pax_headers = {'GNU.sparse.major': '1', 'GNU.sparse.minor': '0',
                      'GNU.sparse.name': 'sparse.txt',
                      'GNU.sparse.realsize': str(real)}
    sp.size = len(smap) + len(chunk)
    bio = io.BytesIO()
    with tarfile.open(fileobj=bio, mode='w', format=tarfile.PAX_FORMAT) as t:
        t.addfile(sp, io.BytesIO(smap + chunk))
        ti = tarfile.TarInfo('after.txt')
        ti.mtime = MTIME
        ti.size = 6
        t.addfile(ti, io.BytesIO(b'after\n'))
    put('sparse.tar', bio.getvalue())
    sparse = b'\0' * at + chunk + b'\0' * (real - at - len(chunk))
    man.add('sparse.tar', 'sparse.tar', 'container',
            [member(b'sparse.txt', 'file', data=sparse),
             member(b'after.txt', 'file', data=b'after\n')])

    # cpio hard links: the data comes with the last name, which libarchive
    # makes a link to the first; wcindex counts it as the file it is
    hl_ents = [dict(ent_file('a.txt', b''), ino=100, nlink=2),
               dict(ent_file('b.txt', b'shared data\n'), ino=100, nlink=2),
               ent_file('c.txt', b'c\n')]
    put('hardlinks.cpio', cpio_bytes(hl_ents))
    hl, _ = expect_flat(hl_ents, Limits())
    man.add('hardlinks.cpio', 'hardlinks.cpio', 'container', hl)

    iso_files = [('README.TXT', text_bytes('en', 3)),
                 ('I18N.TXT', b''.join(text_bytes(l) for l in sorted(TEXTS))),
                 ('BIG.TXT', big_text(100 * KIB)),
                 ('EMPTY.TXT', b'')]
    put('t.iso', iso_bytes(iso_files))
    iso_exp = [member(n.encode(), 'file', data=data, mtime=MTIME * 10**9)
               for n, data in iso_files]
    man.add('t.iso', 't.iso', 'container', iso_exp)

    # --- single compressed documents
    doc = (b''.join(text_bytes(l, 5) for l in sorted(TEXTS)) + bad_utf8()
           + big_text(150 * KIB))
    dc = count(doc)
    put('doc.txt.gz', gz(doc))
    man.add('doc.txt.gz', 'doc.txt.gz', 'compressed', doc=dc)
    put('doc.txt.bz2', bz2.compress(doc, 9))
    man.add('doc.txt.bz2', 'doc.txt.bz2', 'compressed', doc=dc)
    put('doc.txt.xz', lzma.compress(doc))
    man.add('doc.txt.xz', 'doc.txt.xz', 'compressed', doc=dc)
    zd = zstd_bytes(doc, la)
    if zd is not None:
        put('doc.txt.zst', zd)
        man.add('doc.txt.zst', 'doc.txt.zst', 'compressed', doc=dc)
    zd = compress_bytes(doc, la)
    if zd is not None:
        put('doc.txt.Z', zd)
        man.add('doc.txt.Z', 'doc.txt.Z', 'compressed', doc=dc)
    put('doc.txt.gz.gz', gz(gz(doc)))
    man.add('doc.txt.gz.gz', 'doc.txt.gz.gz', 'compressed', doc=dc)
    put('empty.gz', gz(b''))
    man.add('empty.gz', 'empty.gz', 'compressed', doc=count(b''))
    # two gzip members one after the other (what `cat a.gz b.gz` gives)
    put('concat.gz', gz(b'first part\n') + gz(b'second part\n'))
    man.add('concat.gz', 'concat.gz', 'compressed',
            doc=count(b'first part\nsecond part\n'))
    # ASCII mode on a document and a container
    man.add('doc.txt.gz-ascii', 'doc.txt.gz', 'compressed',
            doc=count(doc, True), mode='ascii')
    aflat, _ = expect_flat(std, Limits(), ascii_mode=True)
    man.add('plain.tar-ascii', 'plain.tar', 'container', aflat, mode='ascii')

    # --- names that only look like archives, and magic without the rest
    put('notgz.gz', b'just some text in a file called notgz.gz\n')
    man.add('notgz.gz', 'notgz.gz', 'none')
    put('x.zip', b'PK is not enough: this is text\n')
    man.add('x.zip', 'x.zip', 'none')
    put('ustar-text.txt', (b'x' * 257 + b'ustar  and then some text\n'))
    man.add('ustar-text.txt', 'ustar-text.txt', 'none')

    # --- nested: a zip and a .gz inside a tar.gz (2 deep) ...
    inner_ents = [ent_file('x.txt', text_bytes('fr')),
                  ent_file('sub/y.txt', text_bytes('ja'))]
    inner = zip_bytes(inner_ents)
    notes = text_bytes('de', 4)
    n2_ents = [ent_file('intro.txt', text_bytes('en')),
               ent_file('inner.zip', inner),
               ent_file('notes.txt.gz', gz(notes)),
               ent_file('outro.txt', text_bytes('ko'))]
    put('nested2.tar.gz', gz(tar_bytes(n2_ents)))
    n2 = [member(b'intro.txt', 'file', data=text_bytes('en')),
          member(b'inner.zip', 'archive'),
          member(b'inner.zip!/x.txt', 'file', data=text_bytes('fr'),
                 mtime=None),
          member(b'inner.zip!/sub/y.txt', 'file', data=text_bytes('ja'),
                 mtime=None),
          member(b'notes.txt.gz', 'file', data=notes),
          member(b'outro.txt', 'file', data=text_bytes('ko'))]
    man.add('nested2.tar.gz', 'nested2.tar.gz', 'compressed', n2)
    # depth 1: no archive inside an archive: the inner ones are plain bytes
    n2d1, _ = expect_flat(n2_ents, Limits(depth=1))
    man.add('nested2.tar.gz-depth1', 'nested2.tar.gz', 'compressed', n2d1,
            lim=Limits(depth=1))

    # ... and a tar.gz inside a zip inside a tar.gz (3 deep)
    deep_ents = [ent_file('d1.txt', text_bytes('ru')),
                 ent_file('d2.txt', text_bytes('he'))]
    deep = gz(tar_bytes(deep_ents))
    mid_ents = [ent_file('m.txt', text_bytes('el')),
                ent_file('deep.tar.gz', deep)]
    mid = zip_bytes(mid_ents)
    n3_ents = [ent_file('top.txt', text_bytes('ar')),
               ent_file('mid.zip', mid),
               ent_file('end.txt', text_bytes('zh'))]
    put('nested3.tar.gz', gz(tar_bytes(n3_ents)))
    n3 = [member(b'top.txt', 'file', data=text_bytes('ar')),
          member(b'mid.zip', 'archive'),
          member(b'mid.zip!/m.txt', 'file', data=text_bytes('el'),
                 mtime=None),
          member(b'mid.zip!/deep.tar.gz', 'archive', mtime=None),
          member(b'mid.zip!/deep.tar.gz!/d1.txt', 'file',
                 data=text_bytes('ru')),
          member(b'mid.zip!/deep.tar.gz!/d2.txt', 'file',
                 data=text_bytes('he')),
          member(b'end.txt', 'file', data=text_bytes('zh'))]
    man.add('nested3.tar.gz', 'nested3.tar.gz', 'compressed', n3)
    # depth 2: the tar.gz inside the zip is plain bytes
    n3d2 = n3[:3] + [member(b'mid.zip!/deep.tar.gz', 'file', data=deep,
                            mtime=None), n3[-1]]
    man.add('nested3.tar.gz-depth2', 'nested3.tar.gz', 'compressed', n3d2,
            lim=Limits(depth=2))
    if sz is not None:
        # 7z needs to seek: inside another archive it is plain bytes
        n7_ents = [ent_file('a.txt', b'a\n'), ent_file('t.7z', sz)]
        put('nested7z.tar', tar_bytes(n7_ents))
        n7, _ = expect_flat(n7_ents, Limits())
        man.add('nested7z.tar', 'nested7z.tar', 'container', n7)

    # --- hostile names and links, in pax and GNU tar
    evil_ents = [
        ent_file('README.txt', b'read me\n'),
        ent_symlink('link-to-passwd', '/etc/passwd'),
        ent_hardlink('hard', 'README.txt'),
        ent_file('../../etc/passwd', b'root:x:0:0:root:/root:/bin/sh\n'),
        ent_file('/abs/path.txt', b'absolute\n'),
        ent_file('new\nline.txt', b'a newline in the name\n'),
        ent_file(b'bad\xff\xfename.txt', b'invalid utf-8 in the name\n'),
        ent_file('Größe-日本.txt', text_bytes('ja')),
        ent_file('long/' + 'n' * 300 + '.txt', b'long name\n'),
        ent_dir('adir/'),
        ent_other('fifo'),
        ent_file('last.txt', b'after the fifo\n'),
    ]
    evil, _ = expect_flat(evil_ents, Limits())
    put('evil.tar', tar_bytes(evil_ents))
    man.add('evil.tar', 'evil.tar', 'container', evil)
    gnu_ents = [e for e in evil_ents if not e['name'].startswith(b'long/')]
    gnu_ents.append(ent_file('long/' + 'g' * 120 + '.txt', b'long name\n'))
    evil_gnu, _ = expect_flat(gnu_ents, Limits())
    put('evil-gnu.tar', tar_bytes(gnu_ents, tarfile.GNU_FORMAT))
    man.add('evil-gnu.tar', 'evil-gnu.tar', 'container', evil_gnu)
    zevil_ents = [ent_file('../../etc/passwd', b'root:x:0:0\n'),
                  ent_file('/abs/path.txt', b'absolute\n'),
                  ent_symlink('zlink', '/etc/shadow'),
                  ent_file('ok.txt', b'fine\n')]
    put('evil.zip', zip_bytes(zevil_ents))
    zevil, _ = expect_flat(zevil_ents, Limits(), mtime=None)
    man.add('evil.zip', 'evil.zip', 'container', zevil)

    # --- damage
    # a tar.gz cut in the middle of its 3rd member: stored deflate blocks,
    # so that compressed offsets follow the tar's
    #
    # libarchive's gzip reader gives nothing of the output block (64 KiB)
    # in which the input ends: the members before the damage are bigger
    # than that, so that they are complete before it.
    rnd = random.Random(42)
    vocab = [w for t in TEXTS.values() for w in t.split()]

    def prose(n):
        out = []
        size = 0
        while size < n:
            w = rnd.choice(vocab)
            out.append(w)
            size += len(w.encode()) + 1
        return (' '.join(out) + '\n').encode()

    tr_ents = [ent_file('one.txt', prose(100 * KIB)),
               ent_file('two.txt', prose(150 * KIB)),
               ent_file('three.txt', prose(400 * KIB)),
               ent_file('four.txt', prose(10 * KIB))]
    trtar = tar_bytes(tr_ents, tarfile.GNU_FORMAT)
    # member data offsets in a GNU tar: a 512-byte header before each
    off = 0
    starts = []
    for e in tr_ents:
        off += 512
        starts.append(off)
        off += (len(e['data']) + 511) // 512 * 512
    cut = starts[2] + len(tr_ents[2]['data']) // 2
    trgz = gz(trtar, level=0)
    put('truncated.tar.gz', trgz[:10 + cut])
    trunc = [member(b'one.txt', 'file', data=tr_ents[0]['data']),
             member(b'two.txt', 'file', data=tr_ents[1]['data']),
             member(b'three.txt', 'file', 'error',
                    counts=(None,) * 5)]
    man.add('truncated.tar.gz', 'truncated.tar.gz', 'compressed', trunc,
            ret=-1, status='error')
    put('truncated.tar', trtar[:cut])
    man.add('truncated.tar', 'truncated.tar', 'container', trunc,
            ret=-1, status='error')
    trdoc = gz(prose(300 * KIB))
    put('truncated.txt.gz', trdoc[:len(trdoc) // 2])
    man.add('truncated.txt.gz', 'truncated.txt.gz', 'compressed',
            doc=(None,) * 5, ret=-1, status='error')

    # a zip whose stored member has one byte flipped: its CRC fails, the
    # members after it are still read
    cz_ents = [ent_file('good.txt', text_bytes('en')),
               ent_file('flipped.txt', text_bytes('ru', 3)),
               ent_file('after.txt', text_bytes('ko'))]
    cz = bytearray(zip_bytes(cz_ents, stored=('flipped.txt',)))
    victim = text_bytes('ru', 3)
    pos = bytes(cz).index(victim)
    cz[pos + 7] ^= 0x01
    flipped = bytes(cz[pos:pos + len(victim)])
    put('corrupt.zip', bytes(cz))
    man.add('corrupt.zip', 'corrupt.zip', 'container',
            [member(b'good.txt', 'file', data=text_bytes('en'), mtime=None),
             member(b'flipped.txt', 'file', 'error', data=flipped,
                    mtime=None),
             member(b'after.txt', 'file', data=text_bytes('ko'),
                    mtime=None)], status='error')
    # a zip whose deflated member does not inflate: libarchive's reader
    # then fails for good, and a new one seeks past the damage to read
    # the members after it (python's zipfile reads them too)
    dz_data = [('word%d ' % i).encode() * 50 + b'\n' for i in range(12)]
    dz_ents = [ent_file('m%02d.txt' % i, d) for i, d in enumerate(dz_data)]
    dz = bytearray(zip_bytes(dz_ents))
    dzi = zipfile.ZipFile(io.BytesIO(bytes(dz))).getinfo('m05.txt')
    nlen, xlen = struct.unpack('<HH', dz[dzi.header_offset + 26:
                                          dzi.header_offset + 30])
    start = dzi.header_offset + 30 + nlen + xlen
    for k in range(2, dzi.compress_size):
        dz[start + k] ^= 0x55
    put('inflate-fails.zip', bytes(dz))
    man.add('inflate-fails.zip', 'inflate-fails.zip', 'container',
            [member(e['name'], 'file', 'error' if i == 5 else 'ok',
                    data=None if i == 5 else dz_data[i],
                    counts=(None,) * 5 if i == 5 else None, mtime=None)
             for i, e in enumerate(dz_ents)], status='error')
    # names as the zip stores them: libarchive makes backslashes slashes,
    # which merged "a\b\c" with "a/b/c" and made "d\e\" a directory
    # (CPython's zipdir_backslash.zip); a directory by its mode stays one
    bs_ents = [ent_file('a\\b\\c', b'one two\n'), ent_file('d\\e\\', b''),
               ent_file('a/b/c', b'three\n'), ent_dir('f\\g\\'),
               ent_file('h\\\u00e9', b'four five six\n')]
    put('backslash.zip', zip_bytes(bs_ents))
    man.add('backslash.zip', 'backslash.zip', 'container',
            [member(e['name'], 'file', data=e['data'], mtime=None)
             for e in bs_ents if e['kind'] == 'file'])
    # names that would read as another member's: one named like a nested
    # member, one ending in '!', an empty one (the archive's own row)
    inner = zip_bytes([ent_file('x.txt', b'inner words\n')])
    cl_ents = [ent_file('in.zip', inner),
               ent_file('in.zip!/x.txt', b'outer literal name\n'),
               ent_file('wow!', b'one\n'), ent_file('', b'empty name\n')]
    put('collide.tar', tar_bytes(cl_ents))
    man.add('collide.tar', 'collide.tar', 'container',
            [member(b'in.zip', 'archive'),
             member(b'in.zip!/x.txt', 'file', data=b'inner words\n',
                    mtime=None),
             member(b'in.zip!!/x.txt', 'file', data=b'outer literal name\n'),
             member(b'wow!!', 'file', data=b'one\n'),
             member(b'!/', 'file', data=b'empty name\n')])
    # a zip inside a tar whose inner member is broken: the tar goes on
    nb_ents = [ent_file('before.txt', b'before\n'),
               ent_file('bad.zip', bytes(cz)),
               ent_file('after.txt', b'after\n')]
    put('nested-corrupt.tar', tar_bytes(nb_ents))
    man.add('nested-corrupt.tar', 'nested-corrupt.tar', 'container',
            [member(b'before.txt', 'file', data=b'before\n'),
             member(b'bad.zip', 'archive'),
             member(b'bad.zip!/good.txt', 'file', data=text_bytes('en'),
                    mtime=None),
             member(b'bad.zip!/flipped.txt', 'file', 'error', data=flipped,
                    mtime=None),
             member(b'bad.zip!/after.txt', 'file', data=text_bytes('ko'),
                    mtime=None),
             member(b'after.txt', 'file', data=b'after\n')],
            status='error')

    # --- limits on a flat tar
    for case, lim in (('member_bytes', Limits(member_bytes=1000)),
                      ('total_bytes', Limits(total_bytes=5000)),
                      ('members', Limits(members=3)),
                      ('all', Limits(member_bytes=1000, total_bytes=5000,
                                     members=3, depth=1, ratio=10))):
        exp, st = expect_flat(std, lim)
        man.add('plain.tar-' + case, 'plain.tar', 'container', exp,
                lim=lim, status=st)
    lim = Limits(member_bytes=1000, total_bytes=5000)
    exp, st = expect_flat(std, lim, mtime=None)
    man.add('t.zip-limits', 't.zip', 'container', exp, lim=lim, status=st)

    # --- names: cut past 4 KiB, and held to a budget
    ln_names = [b'a' * 4096, b'b' * 4097, b'x' + '\u00e9'.encode() * 5000,
                b'd/' * 3000 + b'end.txt']
    ln_ents = [ent_file(n, b'word %d\n' % i) for i, n in enumerate(ln_names)]
    put('longnames.tar', tar_bytes(ln_ents))
    man.add('longnames.tar', 'longnames.tar', 'container',
            [member(stored_name(n, i + 1), 'file', data=b'word %d\n' % i)
             for i, n in enumerate(ln_names)])
    # a few KiB of bzip2 naming 600 members of 65,000 bytes each: 16 MiB
    # of names before (the ratio limit's floor); the budget stops it first
    nb_names = [b'%03d' % i + b'n' * 64997 for i in range(600)]
    nb_tar = bz2.compress(tar_bytes([ent_file(n, b'x') for n in nb_names]))
    put('namebomb.tar.bz2', nb_tar)
    note('namebomb.tar.bz2: %d bytes' % len(nb_tar))
    man.add('namebomb.tar.bz2', 'namebomb.tar.bz2', 'compressed',
            [member(stored_name(n, i + 1), 'file', data=b'x')
             for i, n in enumerate(nb_names)], status='limit',
            check='prefix')

    # --- bombs
    bomb = b'a ' * (32 * MIB)                     # 64 MiB
    put('bomb-ratio.gz', gz(bomb))
    man.add('bomb-ratio.gz-ratio10', 'bomb-ratio.gz', 'compressed',
            doc=(None,) * 5, lim=Limits(ratio=10), status='limit')
    man.add('bomb-ratio.gz-member', 'bomb-ratio.gz', 'compressed',
            doc=count(bomb[:1000]), lim=Limits(member_bytes=1000),
            status='limit')
    # high ratio but small: under the 16 MiB floor of the ratio limit
    small = b'a ' * (512 * KIB)
    put('small-ratio.gz', gz(small))
    man.add('small-ratio.gz-ratio10', 'small-ratio.gz', 'compressed',
            doc=count(small), lim=Limits(ratio=10))

    # 42.zip-style: 10 zips of 10 highly compressible 1 MiB files
    leaf = b'x ' * (512 * KIB)
    level2 = zip_bytes([ent_file('f%d.txt' % i, leaf) for i in range(10)])
    level1_ents = [ent_file('z%d.zip' % i, level2) for i in range(10)]
    put('42.zip', zip_bytes(level1_ents))
    full = []
    for i in range(10):
        full.append(member(b'z%d.zip' % i, 'archive', mtime=None))
        for j in range(10):
            full.append(member(b'z%d.zip!/f%d.txt' % (i, j), 'file',
                               data=leaf, mtime=None))
    # defaults: it produces 100 MiB from a few KiB, over the ratio limit
    man.add('42.zip', '42.zip', 'container', full, status='limit',
            check='prefix')
    man.add('42.zip-total', '42.zip', 'container', full,
            lim=Limits(total_bytes=8 * MIB, ratio=1 << 40), status='limit',
            check='prefix')
    man.add('42.zip-members', '42.zip', 'container', full,
            lim=Limits(members=25, ratio=1 << 40), status='limit',
            check='prefix')
    man.add('42.zip-unlimited', '42.zip', 'container', full,
            lim=Limits(ratio=1 << 40))
    d1, _ = expect_flat(level1_ents, Limits(depth=1), mtime=None)
    man.add('42.zip-depth1', '42.zip', 'container', d1,
            lim=Limits(depth=1))

    man.write(d)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
