#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""TCP and UDP transfers whose bytes are checked end to end by SHA-256.

The guest is always the client; dom0 serves.  Each side prints
"<sent|got> SHA256 BYTES" per connection, and the suite compares them.
UDP datagrams each carry their number and their own digest, so dom0 can
count the lost, damaged and repeated ones.

    tcpcheck.py sink PORT CONNS          dom0: take CONNS uploads at once
    tcpcheck.py source PORT MIB          dom0: serve one download
    tcpcheck.py send HOST PORT MIB [N]   guest: upload MIB MiB (on N
                                         connections at once, from threads)
    tcpcheck.py recv HOST PORT           guest: download until EOF
    tcpcheck.py stream HOST PORT STOP [PROGRESS]
                                         guest: upload at a steady pace,
                                         on one connection, until the
                                         file STOP exists (the bytes sent
                                         so far in PROGRESS)
    tcpcheck.py udpsink PORT             dom0: count datagrams until END
    tcpcheck.py udpsend HOST PORT N SIZE guest: N datagrams of SIZE bytes
    tcpcheck.py mcastsend GROUP PORT N IF dom0: N datagrams to GROUP from IF
    tcpcheck.py mcastend GROUP PORT IF   dom0: tell receivers of GROUP to stop
    tcpcheck.py mcastrecv GROUP PORT IF  guest: join GROUP on IF, count to END
"""
import hashlib
import os
import socket
import struct
import sys
import threading
import time

CHUNK = 1 << 20
# A stalled connection fails after TIMEOUT; a listener waits longer, as
# the guest reaches some of them only after the other transfers ran.
TIMEOUT = 300
ACCEPT_TIMEOUT = 1800


def payload(mib):
    """MIB chunks of one random MiB, each made unique by its number."""
    block = os.urandom(CHUNK)
    for i in range(mib):
        yield i.to_bytes(8, "little") + block[8:]


def send_all(sock, mib):
    digest, total = hashlib.sha256(), 0
    for chunk in payload(mib):
        sock.sendall(chunk)
        digest.update(chunk)
        total += len(chunk)
    sock.shutdown(socket.SHUT_WR)
    return digest.hexdigest(), total


def recv_all(sock):
    digest, total = hashlib.sha256(), 0
    while True:
        data = sock.recv(CHUNK)
        if not data:
            return digest.hexdigest(), total
        digest.update(data)
        total += len(data)


def listener(port):
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("0.0.0.0", port))
    srv.listen(64)
    srv.settimeout(ACCEPT_TIMEOUT)
    return srv


def sink(port, conns):
    srv = listener(port)
    lock = threading.Lock()

    def take(conn):
        conn.settimeout(TIMEOUT)
        with conn:
            sha, n = recv_all(conn)
        with lock:
            print("got", sha, n, flush=True)

    threads = []
    for _ in range(conns):
        conn, _ = srv.accept()
        t = threading.Thread(target=take, args=(conn,))
        t.start()
        threads.append(t)
    for t in threads:
        t.join()


def source(port, mib):
    conn, _ = listener(port).accept()
    conn.settimeout(TIMEOUT)
    with conn:
        sha, n = send_all(conn, mib)
    print("sent", sha, n, flush=True)


UDP_HEAD = struct.Struct("<Q32s")   # number, SHA-256 of the payload
UDP_END = b"END"
UDP_QUIET = 10                       # seconds of silence that end a run


def udpsink(port):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16 << 20)
    sock.bind(("0.0.0.0", port))
    sock.settimeout(ACCEPT_TIMEOUT)
    seen, bad, dup, sent = set(), 0, 0, None
    while sent is None:
        try:
            data = sock.recv(65536)
        except socket.timeout:
            break
        sock.settimeout(UDP_QUIET)
        if data.startswith(UDP_END):
            sent = int(data[len(UDP_END):])
            continue
        if len(data) < UDP_HEAD.size:
            bad += 1
            continue
        num, digest = UDP_HEAD.unpack_from(data)
        if hashlib.sha256(data[UDP_HEAD.size:]).digest() != digest:
            bad += 1
        elif num in seen:
            dup += 1
        else:
            seen.add(num)
    print("udp received", len(seen), "sent", sent, "bad", bad, "dup", dup,
          flush=True)


def udpsend(host, port, count, size):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.connect((host, port))
    block = os.urandom(size)
    for num in range(count):
        payload = num.to_bytes(8, "little") + block[8:]
        head = UDP_HEAD.pack(num, hashlib.sha256(payload).digest())
        sock.send(head + payload)
        if num % 16 == 15:
            time.sleep(0.001)   # a pace the receiver can keep up with
    # Several ENDs in case one is lost; once the sink has gone, dom0
    # answers the rest with port unreachable.
    for _ in range(5):
        try:
            sock.send(UDP_END + str(count).encode())
        except ConnectionRefusedError:
            break
        time.sleep(0.2)
    print("udp sent", count, flush=True)


def mcast_socket(ifaddr):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF,
                    socket.inet_aton(ifaddr))
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 0)
    return sock


def mcastsend(group, port, count, ifaddr):
    sock = mcast_socket(ifaddr)
    for num in range(count):
        sock.sendto(num.to_bytes(8, "little") + bytes(56), (group, port))
        time.sleep(0.001)
    print("mcast sent", count, flush=True)


def mcastend(group, port, ifaddr):
    sock = mcast_socket(ifaddr)
    for _ in range(5):
        sock.sendto(UDP_END, (group, port))
        time.sleep(0.2)


def mcastrecv(group, port, ifaddr):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((group, port))
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
                    socket.inet_aton(group) + socket.inet_aton(ifaddr))
    sock.settimeout(ACCEPT_TIMEOUT)
    print("mcast joined", group, flush=True)
    seen = set()
    while True:
        data = sock.recv(65536)
        if data.startswith(UDP_END):
            break
        seen.add(int.from_bytes(data[:8], "little"))
    print("mcast got", len(seen), flush=True)


def connect(host, port):
    return socket.create_connection((host, port), timeout=TIMEOUT)


STREAM_CHUNK = 64 << 10
STREAM_PAUSE = 0.02                  # about 3 MB/s: load, not a flood


def note_progress(path, total):
    """Bytes sent so far, in PATH, replaced whole: a reader never sees
    half a number."""
    with open(path + ".tmp", "w") as f:
        f.write("%d\n" % total)
    os.replace(path + ".tmp", path)


def stream(host, port, stop, progress=None):
    """One long upload that lives through whatever the guest goes
    through meanwhile (saves, restores, hot plug), checked at the end.
    With PROGRESS, the bytes sent so far are written there every second,
    so a stall shows when it starts, not only when the sink gives up."""
    block = os.urandom(STREAM_CHUNK)
    digest, total, num = hashlib.sha256(), 0, 0
    noted = 0.0
    with connect(host, port) as s:
        while not os.path.exists(stop):
            chunk = num.to_bytes(8, "little") + block[8:]
            s.sendall(chunk)
            digest.update(chunk)
            total += len(chunk)
            num += 1
            if progress and time.monotonic() - noted >= 1:
                note_progress(progress, total)
                noted = time.monotonic()
            time.sleep(STREAM_PAUSE)
        s.shutdown(socket.SHUT_WR)
        s.recv(1)       # the sink's close: everything arrived
    print("sent", digest.hexdigest(), total, flush=True)


def send_parallel(host, port, mib, conns):
    """CONNS uploads at once from one process: many flows, few processes
    (process churn means IPIs, which nested guests survive poorly)."""
    results, errors = [], []

    def one():
        try:
            with connect(host, port) as s:
                results.append(send_all(s, mib))
        except OSError as e:
            errors.append(e)

    threads = [threading.Thread(target=one) for _ in range(conns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for sha, n in results:
        print("sent", sha, n, flush=True)
    if errors:
        raise errors[0]


def main():
    mode, args = sys.argv[1], sys.argv[2:]
    try:
        if mode == "sink":
            sink(int(args[0]), int(args[1]))
        elif mode == "source":
            source(int(args[0]), int(args[1]))
        elif mode == "send":
            send_parallel(args[0], int(args[1]), int(args[2]),
                          int(args[3]) if len(args) > 3 else 1)
        elif mode == "udpsink":
            udpsink(int(args[0]))
        elif mode == "udpsend":
            udpsend(args[0], int(args[1]), int(args[2]), int(args[3]))
        elif mode == "mcastsend":
            mcastsend(args[0], int(args[1]), int(args[2]), args[3])
        elif mode == "mcastend":
            mcastend(args[0], int(args[1]), args[2])
        elif mode == "mcastrecv":
            mcastrecv(args[0], int(args[1]), args[2])
        elif mode == "stream":
            stream(args[0], int(args[1]), args[2],
                   args[3] if len(args) > 3 else None)
        elif mode == "recv":
            with connect(args[0], int(args[1])) as s:
                print("got", *recv_all(s), flush=True)
        else:
            sys.exit(__doc__)
    except OSError as e:
        print("error", e, flush=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
