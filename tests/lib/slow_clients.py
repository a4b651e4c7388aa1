#!/usr/bin/env python3
"""slow_clients.py: clients that send their requests slowly, against
`sanilog serve` on 127.0.0.1 (tests/web/test_slow_clients.sh).

  slow_clients.py flood PORT N FRESH HOLD SRC...
      Opens N connections, round robin from the source addresses SRC
      (all of 127/8 is this machine), each sending a request line and
      then one header line a second, never ending its head (as many as
      open within a second).  1.5 s after the start, counts those still
      open and asks GET /healthz from the address FRESH (2 s at most);
      HOLD seconds after the start, counts those still open.  Prints
      "opened=N", "kept=N", "fresh=STATUS SECONDS" and
      "open_at_end=N".

  slow_clients.py bodies PORT SRC CLIENT N HOLD
      Opens N connections from SRC, each a POST /owner/login naming
      CLIENT in X-Forwarded-For, whose 1000-byte body comes one byte a
      second; prints "ready" once the heads are sent, and after at most
      HOLD seconds "open_at_end=N seconds=S" (S: when the last one the
      server closed was closed).

Exit status 0, or 2 on a usage error.
"""
import select
import socket
import sys
import time


def connect(port, src):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((src, 0))
    s.settimeout(1)
    try:
        s.connect(("127.0.0.1", port))
    except OSError:
        s.close()
        return None
    s.setblocking(False)
    return s


def closed_by_server(s):
    """Whether the server closed s (it never sends these anything)."""
    try:
        return s.recv(4096) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


def send_or_close(socks, data):
    for s in list(socks):
        try:
            s.send(data)
        except OSError:
            socks.discard(s)
            s.close()


def prune(socks):
    """Drops the sockets the server closed; returns how many are left."""
    if socks:
        p = select.poll()
        for s in socks:
            p.register(s, select.POLLIN)
        ready = {fd for fd, _ in p.poll(0)}
        for s in [s for s in socks if s.fileno() in ready]:
            if closed_by_server(s):
                socks.discard(s)
                s.close()
    return len(socks)


def fresh_request(port, src):
    t0 = time.monotonic()
    s = connect(port, src)
    if s is None:
        return "none", time.monotonic() - t0
    s.setblocking(True)
    s.settimeout(2)
    try:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n"
                  b"Connection: close\r\n\r\n")
        line = s.makefile("rb").readline().decode(errors="replace")
        status = line.split()[1] if len(line.split()) > 1 else "none"
    except OSError:
        status = "none"
    s.close()
    return status, time.monotonic() - t0


def flood(port, n, fresh, hold, srcs):
    start = time.monotonic()
    socks = set()
    for i in range(n):
        if time.monotonic() > start + 1:
            break  # not all opened in time: what is open is counted
        s = connect(port, srcs[i % len(srcs)])
        if s is not None:
            socks.add(s)
    print("opened=%d" % len(socks), flush=True)
    send_or_close(socks, b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
    line = 0
    while time.monotonic() < start + 1.5:
        time.sleep(0.1)
    print("kept=%d" % prune(socks), flush=True)
    status, took = fresh_request(port, fresh)
    print("fresh=%s %.2f" % (status, took), flush=True)
    next_line = time.monotonic()
    while time.monotonic() < start + hold:
        if time.monotonic() >= next_line:
            line += 1
            send_or_close(socks, b"X-Slow-%d: 1\r\n" % line)
            next_line += 1
        time.sleep(0.05)
        prune(socks)
    print("open_at_end=%d" % prune(socks), flush=True)
    for s in socks:
        s.close()


def bodies(port, src, client, n, hold):
    start = time.monotonic()
    socks = set()
    for _ in range(n):
        s = connect(port, src)
        if s is not None:
            socks.add(s)
    send_or_close(socks, b"POST /owner/login HTTP/1.1\r\nHost: x\r\n"
                  b"X-Forwarded-For: " + client.encode() + b"\r\n"
                  b"Content-Type: application/x-www-form-urlencoded\r\n"
                  b"Content-Length: 1000\r\n\r\n")
    print("ready", flush=True)
    last_close = 0.0
    next_byte = time.monotonic()
    while socks and time.monotonic() < start + hold:
        if time.monotonic() >= next_byte:
            send_or_close(socks, b"a")
            next_byte += 1
        time.sleep(0.05)
        before = len(socks)
        if prune(socks) < before:
            last_close = time.monotonic() - start
    print("open_at_end=%d seconds=%.1f" % (len(socks), last_close),
          flush=True)
    for s in socks:
        s.close()


def main(argv):
    try:
        if argv[1] == "flood" and len(argv) >= 7:
            flood(int(argv[2]), int(argv[3]), argv[4], float(argv[5]),
                  argv[6:])
        elif argv[1] == "bodies" and len(argv) == 7:
            bodies(int(argv[2]), argv[3], argv[4], int(argv[5]),
                   float(argv[6]))
        else:
            raise ValueError
    except (IndexError, ValueError):
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
