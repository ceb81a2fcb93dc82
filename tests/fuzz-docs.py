"""The documents' fuzz target (`make fuzz-docs`, not part of `make check`):
mutate seed documents of every format and check that tests/doc-count reads
each one to a status line, never crashing, hanging or writing to stderr,
then that a real scan of every mutant finishes with every file recorded.

Seeds: the documents the tests' generators write (tests/gen-docs.py, and
gen-docs-office.py, gen-docs-html.py and gen-pdf.py when they are there).
Mutations, chosen by a seeded random generator: byte flips, bytes
inserted and deleted, truncation, a block repeated, and for zip packages
the same done to one part's inflated data before zipping it again (so
that the XML parsers, not only the zip reader, see damage).

usage: fuzz-docs.py [--count N] [--seed S] [--keep DIR]
  environment: DOC_COUNT, WCINDEX (the programs), PYTHON3
Exits 1 after listing the mutants that failed (kept in DIR, or in a
directory it names).
"""
import argparse, io, os, random, shutil, subprocess, sys, tempfile, zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
GENERATORS = [('gen-docs.py', []), ('gen-docs-office.py', []),
              ('gen-docs-html.py', []), ('gen-pdf.py', [])]
STATUSES = {b'ok', b'encrypted', b'limit', b'damaged', b'unsupported'}


def seeds(work):
    out = []
    for gen, args in GENERATORS:
        path = os.path.join(HERE, gen)
        if not os.path.exists(path):
            continue
        d = os.path.join(work, 'seed-' + gen)
        subprocess.run([sys.executable, path] + args + [d],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for root, _, files in os.walk(d):
            for f in files:
                p = os.path.join(root, f)
                if os.path.getsize(p) <= 4 << 20:
                    out.append(p)
    return out


def mutate_bytes(rnd, data):
    data = bytearray(data)
    for _ in range(rnd.randint(1, 4)):
        op = rnd.randrange(5)
        at = rnd.randrange(len(data) + 1)
        if op == 0 and data:
            at = min(at, len(data) - 1)
            data[at] ^= 1 << rnd.randrange(8)
        elif op == 1:
            data[at:at] = bytes(rnd.randrange(256)
                                for _ in range(rnd.randint(1, 16)))
        elif op == 2:
            del data[at:at + rnd.randint(1, 64)]
        elif op == 3:
            del data[at:]
        else:
            n = rnd.randint(1, 256)
            data[at:at] = data[at:at + n] * rnd.randint(2, 50)
    return bytes(data)


def mutate_part(rnd, data):
    """Mutate one part of a zip package and zip it again."""
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
        infos = z.infolist()
        parts = [(i, z.read(i.filename)) for i in infos]
    except Exception:
        return mutate_bytes(rnd, data)
    k = rnd.randrange(len(parts)) if parts else 0
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, 'w', zipfile.ZIP_DEFLATED) as out:
        for j, (info, body) in enumerate(parts):
            if j == k:
                body = mutate_bytes(rnd, body)
            out.writestr(info.filename, body,
                         compress_type=info.compress_type)
    return buf.getvalue()


def check(dc, path):
    """None when doc-count read path well, else why not."""
    try:
        r = subprocess.run([dc, path], capture_output=True, timeout=30)
    except subprocess.TimeoutExpired:
        return 'no answer in 30 s'
    words = r.stdout.split()
    if r.returncode != 0:
        return 'exit status %d' % r.returncode
    if r.stderr:
        return 'stderr: %r' % r.stderr[:200]
    if len(words) < 6 or words[1] not in STATUSES:
        return 'bad line %r' % r.stdout[:200]
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--count', type=int, default=5000)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--keep')
    a = ap.parse_args()
    dc, wc = os.environ['DOC_COUNT'], os.environ['WCINDEX']
    rnd = random.Random(a.seed)
    work = tempfile.mkdtemp(prefix='wcindex-fuzz.')
    keep = a.keep or os.path.join(work, 'failed')
    os.makedirs(keep, exist_ok=True)
    pool = seeds(work)
    if not pool:
        sys.exit('fuzz-docs: no seed documents')
    tree = os.path.join(work, 'mutants')
    os.makedirs(tree)
    failed = 0
    for i in range(a.count):
        src = rnd.choice(pool)
        data = open(src, 'rb').read()
        zipped = data[:4] == b'PK\x03\x04'
        data = (mutate_part if zipped and rnd.random() < 0.5
                else mutate_bytes)(rnd, data)
        name = 'm%06d-%s' % (i, os.path.basename(src))
        path = os.path.join(tree, name)
        with open(path, 'wb') as f:
            f.write(data)
        why = check(dc, path)
        if why:
            failed += 1
            shutil.copy(path, keep)
            print('fuzz-docs: %s: %s' % (name, why))
    db = os.path.join(work, 'index.db')
    r = subprocess.run([wc, '--db', db, 'scan', '-q', '--no-progress', tree],
                       capture_output=True, timeout=3600)
    rows = subprocess.run([wc, '--db', db, 'sql', '--csv',
                           'SELECT count(*) FROM files WHERE member = \'\''],
                          capture_output=True).stdout.split()
    if r.returncode not in (0, 1) or rows[-1:] != [str(a.count).encode()]:
        failed += 1
        print('fuzz-docs: the scan of the mutants exited %d with %r rows'
              % (r.returncode, rows[-1:]))
    print('fuzz-docs: %d mutants of %d seeds, %d failures%s'
          % (a.count, len(pool), failed,
             ' (kept in %s)' % keep if failed else ''))
    if not failed:
        shutil.rmtree(work)
    sys.exit(1 if failed else 0)


main()
