#!/usr/bin/env python3
"""history.py - the reference for tests/history.sh.

usage: history.py edit ROOT SEED STEP STATE   random edits of ROOT; STATE
                                              (json) gets what was touched
       history.py snap ROOT OUT               counts of every file of ROOT
       history.py check BEFORE AFTER STATE CHANGES_JSON HISTORY_JSON
                                              the changes and history rows
                                              of the scan against python
"""

import json
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pycount import count  # noqa: E402

WORDS = ['alpha', 'beta', 'gamma', 'délta', 'ε', 'zeta', 'word', 'x']


def text(rng):
    lines = []
    for _ in range(rng.randint(0, 6)):
        lines.append(' '.join(rng.choice(WORDS)
                              for _ in range(rng.randint(0, 9))))
    return ('\n'.join(lines) + ('\n' if rng.random() < 0.8 else '')).encode()


def files(root):
    out = []
    for d, subdirs, names in os.walk(root):
        subdirs.sort()
        for n in sorted(names):
            out.append(os.path.join(d, n))
    return out


def edit(root, seed, step, state_path):
    rng = random.Random(seed * 1000 + step)
    existing = files(root)
    touched = []
    done = set()
    for _ in range(rng.randint(1, 8)):
        what = rng.random()
        if what < 0.35 or not existing:
            d = os.path.join(root, rng.choice(['', 'a', 'b', 'a/c', 'd']))
            os.makedirs(d, exist_ok=True)
            p = os.path.join(d, 'f%d-%d.txt' % (step, rng.randint(0, 10**6)))
            if p in done or os.path.exists(p):
                continue
            with open(p, 'wb') as f:
                f.write(text(rng))
            done.add(p)
            continue
        p = rng.choice(existing)
        if p in done or not os.path.exists(p):
            continue
        done.add(p)
        if what < 0.65:
            with open(p, 'ab') as f:
                f.write(b' more words ' + str(step).encode() + b'\n')
        elif what < 0.85:
            os.unlink(p)
        else:
            # the same bytes again: a new mtime and ctime, no change
            with open(p, 'rb') as f:
                data = f.read()
            with open(p, 'wb') as f:
                f.write(data)
            touched.append(p)
    # now and then a whole directory goes
    if step % 7 == 0 and os.path.isdir(os.path.join(root, 'd')):
        for p in files(os.path.join(root, 'd')):
            os.unlink(p)
            if p in touched:
                touched.remove(p)
        for d, subdirs, names in os.walk(os.path.join(root, 'd'),
                                         topdown=False):
            os.rmdir(d)
    with open(state_path, 'w') as f:
        json.dump({'touched': [t for t in touched if os.path.exists(t)]}, f)


def snap(root, out):
    res = {}
    for p in files(root):
        with open(p, 'rb') as f:
            lines, words, chars, nbytes, flags = count(f.read(), False)
        res[p] = [lines, words, chars, nbytes]
    with open(out, 'w') as f:
        json.dump(res, f)


def fail(msg):
    sys.stderr.write('history.py: %s\n' % msg)
    sys.exit(1)


def check(before_path, after_path, state_path, changes_path, history_path):
    before = json.load(open(before_path))
    after = json.load(open(after_path))
    state = json.load(open(state_path))
    want = set()
    for p in set(before) | set(after):
        b, a = before.get(p), after.get(p)
        if b is None:
            want.add(('new', p, None, tuple(a)))
        elif a is None:
            want.add(('deleted', p, tuple(b), None))
        elif a != b:
            want.add(('changed', p, tuple(b), tuple(a)))
    got = set()

    def counts(r, side):
        v = tuple(r['%s_%s' % (side, k)]
                  for k in ('lines', 'words', 'chars', 'bytes'))
        return None if v == (None,) * 4 else v
    rows = json.loads(open(changes_path).read())
    for r in rows:
        if r['member'] != '':
            fail('a member row: %r' % r)
        got.add((r['kind'], r['path'], counts(r, 'old'), counts(r, 'new')))
    if len(got) != len(rows):
        fail('repeated change rows')
    if got != want:
        fail('changes differ:\n  missing %r\n  unexpected %r'
             % (sorted(want - got, key=str), sorted(got - want, key=str)))
    for t in state['touched']:
        if any(w[1] == t for w in want):
            fail('touched file %s among the changes' % t)
    hist = json.loads(open(history_path).read())
    last = hist[-1]
    tot = [sum(v[i] for v in after.values()) for i in range(4)]
    btot = [sum(v[i] for v in before.values()) for i in range(4)]
    if [last['files'], last['lines'], last['words'], last['chars'],
            last['bytes']] != [len(after)] + tot:
        fail('history totals %r, python %r' % (last, [len(after)] + tot))
    if [last['files_delta'], last['lines_delta'], last['words_delta'],
            last['chars_delta'], last['bytes_delta']] != \
            [len(after) - len(before)] + [a - b for a, b in zip(tot, btot)]:
        fail('history deltas %r' % last)
    kinds = [sum(1 for w in want if w[0] == k)
             for k in ('new', 'changed', 'deleted')]
    if [last['new'], last['changed'], last['deleted']] != kinds:
        fail('history new/changed/deleted %r, python %r' % (last, kinds))
    print('%d %d %d %d' % (kinds[0], kinds[1], kinds[2],
                           len(state['touched'])))


def main(argv):
    if argv[1] == 'edit':
        edit(argv[2], int(argv[3]), int(argv[4]), argv[5])
    elif argv[1] == 'snap':
        snap(argv[2], argv[3])
    elif argv[1] == 'check':
        check(*argv[2:7])
    else:
        fail('unknown mode')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
