#!/usr/bin/env python3
"""pty-run.py - run a command on a pseudo-terminal of a given size.

    pty-run.py [--cols N] [--rows N] [--out FILE] [--timeout S]
               [--stdout FILE] -- COMMAND [ARG...]

The command gets a new session whose controlling terminal is the pty, with
stdin from /dev/null, and stdout and stderr on the pty (stdout in FILE
instead with --stdout, so that a test can see what a pipe receives while
stderr stays a terminal).  Everything written to the pty is copied, byte
for byte, to --out (default: stdout of this script).  Exits with the
command's exit status (128 + N when a signal N ended it); after --timeout
seconds (default 600) the command is killed and the status is 124.
"""
import argparse
import errno
import fcntl
import os
import pty
import select
import signal
import struct
import sys
import termios
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--cols', type=int, default=80)
    ap.add_argument('--rows', type=int, default=24)
    ap.add_argument('--out')
    ap.add_argument('--stdout')
    ap.add_argument('--timeout', type=float, default=600)
    ap.add_argument('cmd', nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd and a.cmd[0] == '--' else a.cmd
    if not cmd:
        ap.error('no command')

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ,
                struct.pack('HHHH', a.rows, a.cols, 0, 0))
    # raw: the bytes the program writes arrive as written (no \n -> \r\n)
    attrs = termios.tcgetattr(slave)
    attrs[1] &= ~termios.OPOST
    termios.tcsetattr(slave, termios.TCSANOW, attrs)
    pid = os.fork()
    if pid == 0:
        try:
            os.setsid()
            fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
            null = os.open('/dev/null', os.O_RDONLY)
            os.dup2(null, 0)
            if a.stdout:
                os.dup2(os.open(a.stdout, os.O_WRONLY | os.O_CREAT |
                                os.O_TRUNC, 0o644), 1)
            else:
                os.dup2(slave, 1)
            os.dup2(slave, 2)
            os.closerange(3, 1024)
            os.execvp(cmd[0], cmd)
        except Exception as e:
            os.write(2, ('pty-run: %s: %s\n' % (cmd[0], e)).encode())
        os._exit(127)
    os.close(slave)
    out = open(a.out, 'wb') if a.out else sys.stdout.buffer
    deadline = time.monotonic() + a.timeout
    status = None
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            out.flush()
            sys.exit(124)
        r, _, _ = select.select([master], [], [], min(left, 1.0))
        if r:
            try:
                data = os.read(master, 65536)
            except OSError as e:
                if e.errno != errno.EIO:
                    raise
                data = b''
            if not data:
                break	# every copy of the slave side is closed
            out.write(data)
    _, status = os.waitpid(pid, 0)
    out.flush()
    if os.WIFSIGNALED(status):
        sys.exit(128 + os.WTERMSIG(status))
    sys.exit(os.WEXITSTATUS(status))


if __name__ == '__main__':
    main()
