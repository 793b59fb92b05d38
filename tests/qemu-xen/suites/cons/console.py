#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The far end of a guest's console, in dom0: what `xl console` does, scripted.

Opens the pty that xenconsoled (console 0) or qemu (extra consoles) made
for the guest, in raw mode, and plays a user at a terminal.  Prints TAP
lines ("ok - ..."), one per check.

    console.py login PTY TTY BIG_SHA   log in on the getty on TTY (hvc0),
                                       a command, Ctrl-C, 1 MiB out
                                       (BIG_SHA: sha256 of the guest's
                                       /tmp/big.b64), 64 KiB in
    console.py command PTY TTY         log in on TTY (xvc0), one command
    console.py answer PTY WORD         type WORD and a return; succeed
                                       once the guest answers "answer:WORD"
                                       (the resilience suite's guest runs
                                       such an answerer on hvc0)
    console.py raw PTY OUT_BYTES       a raw extra console: send random
                                       bytes (their sha256 on stdout as
                                       "sent SHA"), then read OUT_BYTES and
                                       print "got SHA"
"""
import base64
import hashlib
import os
import re
import select
import sys
import termios
import time
import tty

PROMPT = rb'\[xp\]# '
PASSWORD = b'xenpv'


class Failure(Exception):
    pass


class Console:
    def __init__(self, path):
        self.fd = os.open(path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        tty.setraw(self.fd)
        termios.tcflush(self.fd, termios.TCIOFLUSH)
        self.buf = b''

    def _pump(self, timeout):
        """Reads what the guest sent within timeout seconds."""
        r, _, _ = select.select([self.fd], [], [], timeout)
        if r:
            try:
                self.buf += os.read(self.fd, 65536)
            except BlockingIOError:
                pass

    def send(self, data, timeout=300):
        """Writes all of data, reading the guest meanwhile (it may echo)."""
        end = time.monotonic() + timeout
        while data:
            if time.monotonic() > end:
                raise Failure('the console stopped taking input (%d bytes left)' % len(data))
            r, w, _ = select.select([self.fd], [self.fd], [], 1)
            if r:
                self._pump(0)
            if w:
                try:
                    data = data[os.write(self.fd, data[:4096]):]
                except BlockingIOError:
                    pass

    def expect(self, pattern, timeout, what):
        """Waits for pattern; returns what came before it, drops both."""
        end = time.monotonic() + timeout
        regex = re.compile(pattern)
        while True:
            m = regex.search(self.buf)
            if m:
                before = self.buf[:m.start()]
                self.buf = self.buf[m.end():]
                return before, m
            left = end - time.monotonic()
            if left <= 0:
                tail = self.buf[-300:].decode('ascii', 'replace')
                raise Failure('no %s within %ds; the console last said: %r' % (what, timeout, tail))
            self._pump(min(left, 1))

    def run(self, command, timeout=60):
        """Types a command line at the prompt, returns its output."""
        self.send(command.encode() + b'\r')
        self.expect(re.escape(command.encode()) + rb'\r\n', 30, 'echo of "%s"' % command)
        out, _ = self.expect(PROMPT, timeout, 'prompt after "%s"' % command)
        return out.replace(b'\r', b'')


def tap(ok, desc):
    print('%s - %s' % ('ok' if ok else 'not ok', desc), flush=True)
    return ok


def login(con, ttyname):
    """Logs in on the getty as root; leaves a plain shell at PROMPT."""
    con.send(b'\r')
    con.expect(rb'login: ', 120, 'login prompt of the getty on ' + ttyname)
    con.send(b'root\r')
    con.expect(rb'Password: ', 60, 'password prompt')
    con.send(PASSWORD + b'\r')
    con.expect(rb'# ', 60, 'root shell prompt')
    # No readline: what comes back is the tty's own echo, and nothing else.
    con.send(b'exec bash --noediting\r')
    time.sleep(2)
    con.send(b"PS1='[xp]\\$ '\r")
    con.expect(PROMPT, 60, 'the test prompt')


def check_command(con, ttyname):
    out = con.run('echo xenpv-$((6*7)) on $(tty)')
    return tap(b'xenpv-42 on /dev/' + ttyname.encode() in out,
               'cons: dom0 logs in on %s and runs a command (%r)' % (ttyname, out.strip()[:60]))


def check_ctrl_c(con, ttyname):
    con.send(b'sleep 1000\r')
    con.expect(rb'sleep 1000\r\n', 30, 'echo of sleep')
    time.sleep(2)
    con.send(b'\x03')
    try:
        con.expect(PROMPT, 15, 'prompt after Ctrl-C')
    except Failure as e:
        return tap(False, 'cons: Ctrl-C on %s interrupts sleep: %s' % (ttyname, e))
    out = con.run('echo rc=$?')
    return tap(b'rc=130' in out, 'cons: Ctrl-C on %s interrupts sleep (%r)' % (ttyname, out.strip()))


def check_output(con, big_sha):
    """1 MiB (as base64) from the guest, checked against its sha256."""
    command = 'cat /tmp/big.b64; echo XENPV-$((40+2))-END'
    start = time.monotonic()
    con.send(command.encode() + b'\r')
    con.expect(re.escape(command.encode()) + rb'\r\n', 30, 'echo of cat')
    data, _ = con.expect(rb'XENPV-42-END\r\n', 600, 'end of the 1 MiB output')
    secs = time.monotonic() - start
    con.expect(PROMPT, 30, 'prompt after the output')
    data = data.replace(b'\r\n', b'\n')
    got = hashlib.sha256(data).hexdigest()
    return tap(got == big_sha,
               'cons: 1 MiB from the guest (%d bytes of base64) arrives intact in dom0, %.0f KiB/s'
               % (len(data), len(data) / 1024 / secs))


def check_input(con):
    """64 KiB typed into the guest, as base64 lines, checked there."""
    raw = os.urandom(65536)
    text = base64.encodebytes(raw)
    start = time.monotonic()
    con.run('stty -echo')
    con.send(b'base64 -d > /tmp/in.bin\r')
    time.sleep(1)
    con.send(text)
    con.send(b'\x04')
    con.expect(PROMPT, 600, 'prompt after typing 64 KiB')
    secs = time.monotonic() - start
    con.send(b'stty echo\r')
    con.expect(PROMPT, 30, 'prompt after stty echo')
    out = con.run('sha256sum /tmp/in.bin')
    want = hashlib.sha256(raw).hexdigest().encode()
    return tap(want in out, 'cons: 64 KiB typed in dom0 (%d bytes of base64) arrive intact in the guest, %.0f KiB/s'
               % (len(text), len(text) / 1024 / secs))


def logout(con):
    con.send(b'exit\r')
    time.sleep(1)


def session(argv, steps):
    pty, ttyname = argv[0], argv[1]
    con = Console(pty)
    try:
        login(con, ttyname)
    except Failure as e:
        tap(False, 'cons: dom0 logs in on %s: %s' % (ttyname, e))
        return 1
    ok = True
    for what, step in steps:
        try:
            ok = step(con) and ok
        except Failure as e:
            ok = tap(False, 'cons: %s: %s' % (what, e))
    logout(con)
    return 0 if ok else 1


def raw(argv):
    """An extra console: bytes both ways, no line discipline on either end."""
    con = Console(argv[0])
    want = int(argv[1])
    # qemu notices a client on its pty by polling, about once a second.
    time.sleep(2)
    data = os.urandom(8192)
    con.send(data)
    print('sent', hashlib.sha256(data).hexdigest(), flush=True)
    end = time.monotonic() + 120
    while len(con.buf) < want and time.monotonic() < end:
        con._pump(1)
    print('got', hashlib.sha256(con.buf[:want]).hexdigest(), len(con.buf), flush=True)
    return 0


def answer(argv):
    """A console that answers, not only one that prints."""
    con = Console(argv[0])
    word = argv[1].encode()
    con.send(word + b'\r')
    try:
        con.expect(b'answer:' + re.escape(word), 60, 'answer to ' + argv[1])
    except Failure as e:
        print(e, flush=True)
        return 1
    return 0


def main(argv):
    if argv[:1] == ['login'] and len(argv) == 4:
        big_sha = argv[3]
        return session(argv[1:3], [
            ('a command on ' + argv[2], lambda c: check_command(c, argv[2])),
            ('Ctrl-C on ' + argv[2], lambda c: check_ctrl_c(c, argv[2])),
            ('1 MiB of output', lambda c: check_output(c, big_sha)),
            ('64 KiB of input', check_input),
        ])
    if argv[:1] == ['command'] and len(argv) == 3:
        return session(argv[1:3], [
            ('a command on ' + argv[2], lambda c: check_command(c, argv[2])),
        ])
    if argv[:1] == ['raw'] and len(argv) == 3:
        return raw(argv[1:])
    if argv[:1] == ['answer'] and len(argv) == 3:
        return answer(argv[1:])
    sys.stderr.write(__doc__)
    return 2


if __name__ == '__main__':
    try:
        sys.exit(main(sys.argv[1:]))
    except (OSError, termios.error) as e:
        # A pty that is not there must fail a test, not vanish.
        tap(False, 'cons: console.py %s: %s' % (' '.join(sys.argv[1:3]), e))
        sys.exit(1)
