#!/usr/bin/env python3
"""hostile.py: a misbehaving log server for tests/net/test_remote.sh.

    hostile.py UPSTREAM [CERT.pem KEY.pem]   (e.g. http://127.0.0.1:41261)

Listens on 127.0.0.1 on a free port (with TLS when given a certificate)
and prints "listening on PORT".  The
first path segment picks a behaviour; the rest of the path is asked of
UPSTREAM (a real `sanilog serve`) and passed on, changed as the behaviour
says.  So http://127.0.0.1:PORT/<mode>/v/<venue> is a venue URL whose log
is UPSTREAM seen through <mode>:

  proxy       everything as UPSTREAM answers
  truncated   the bundle cut in half (Content-Length of the half)
  cut         the bundle's full Content-Length, then the connection closed
              half way
  endless     a bundle that never ends, without Content-Length
  huge        a bundle that announces 1 TB in its Content-Length
  malformed   a bundle that is not JSON
  extrakey    a bundle with one key too many
  escape      a bundle with one key too many, holding a terminal escape
  othervenue  the bundle of another venue (?other=ID in the mode: see below)
  redirect    every request answered 302 to itself
  error500    every request answered 500
  omit        the bundle without the venue's newest entry (valid for rules
              1 to 7: only --full can tell)
  omitprov    the bundle without its provider entries
  bigdoc      documents that never end
  baddoc      documents with one byte changed
  badproof    consistency proofs of garbage
  badtile     entry tiles with a length prefix that lies
  shorttile   entry tiles missing their last entry
  stale       the bundle as it was the first time it was asked for (a
              cache that keeps it too long): older, but honest
  staleonce   the same, but only once: the request after the stale answer
              gets the log's own (a cache that lets a second ask through)
  downgrade   every request answered 302 to the same path on another
              scheme (https), to check a scheme is never followed blindly
  oldpaths    404 for /checkpoints/<n>, as a log that serves kept
              checkpoints only at their older path /checkpoint/<n>
  newpaths    404 for /checkpoint/<n>: kept checkpoints only at
              /checkpoints/<n>
  nopaths     404 for both
  badhash:T:H hash tile T (its path below /tile/, '/' written ','), with
              one bit of hash H changed
  nohash:T    hash tile T answered 404
  shorthash:T hash tile T without its last byte
"""
import json
import sys
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

UPSTREAM = sys.argv[1].rstrip("/")
STALE = {}  # path -> the first bundle seen, for modes stale, staleonce
ONCE = set()  # paths staleonce has served stale already


def upstream(path):
    """(status, headers, body) of UPSTREAM's answer to GET path."""
    try:
        with urllib.request.urlopen(UPSTREAM + path, timeout=30) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # quiet
        pass

    def send(self, status, body, ctype="application/octet-stream",
             length=None, extra=()):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length",
                         str(len(body) if length is None else length))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        parts = self.path.split("/", 2)
        if len(parts) < 3:
            self.send(404, b"no mode")
            return
        mode, rest = parts[1], "/" + parts[2]
        # badhash:0,001.p,17:5 names the tile 0/001.p/17 and its hash 5
        args = mode.split(":")
        mode, args = args[0], args[1:]
        self.tile = args[0].replace(",", "/") if args else None
        self.hash = int(args[1]) if len(args) > 1 else 0
        is_bundle = rest.endswith("/bundle.json")
        try:
            self.answer(mode, rest, is_bundle)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def answer(self, mode, rest, is_bundle):
        if mode == "redirect":
            self.send(302, b"", extra=[("Location", self.path)])
            return
        if mode == "downgrade":
            host = self.headers.get("Host", "127.0.0.1")
            self.send(302, b"",
                      extra=[("Location", "ftp://" + host + self.path)])
            return
        if (mode in ("oldpaths", "nopaths") and
                rest.startswith("/checkpoints/")) or \
                (mode in ("newpaths", "nopaths") and
                 rest.startswith("/checkpoint/")):
            self.send(404, b'{"error":{"code":"not_found","message":'
                           b'"no such path"}}', "application/json")
            return
        if mode == "nohash" and rest == "/tile/" + self.tile:
            self.send(404, b'{"error":{"code":"not_found","message":'
                           b'"no such tile"}}', "application/json")
            return
        if mode == "error500":
            self.send(500, b'{"error":{"code":"internal","message":'
                           b'"hostile server says no"}}',
                      "application/json")
            return
        if is_bundle and mode == "endless":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(b'{"origin": "')
            chunk = b"a" * 65536
            while True:
                self.wfile.write(chunk)
        if is_bundle and mode == "huge":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(10**12))
            self.end_headers()
            self.wfile.write(b'{"origin": "')
            return
        if is_bundle and mode == "malformed":
            self.send(200, b'{"origin": "x", "vkey": [1, 2', "application/json")
            return
        if rest.startswith("/d/") and mode == "bigdoc":
            self.send_response(200)
            self.send_header("Content-Type", "application/pdf")
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(b"%PDF-")
            while True:
                self.wfile.write(b"x" * 65536)

        key = mode + rest
        if is_bundle and mode in ("stale", "staleonce") and key in STALE:
            body = STALE[key]
            if mode == "staleonce":
                del STALE[key]
                ONCE.add(key)
            self.send(200, body, "application/json")
            return
        status, headers, body = upstream(rest)
        if (is_bundle and status == 200 and
                (mode == "stale" or (mode == "staleonce" and key not in ONCE))):
            STALE[key] = body
        ctype = headers.get("Content-Type", "application/octet-stream")
        if status == 200 and is_bundle:
            body = self.change_bundle(mode, body)
            if mode == "cut":
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
        if status == 200 and rest.startswith("/d/") and mode == "baddoc":
            body = body[:-1] + bytes([body[-1] ^ 1])
        if status == 200 and rest.startswith("/proof/consistency") \
                and mode == "badproof" and body:
            body = b"not a hash\n" + body
        if status == 200 and rest.startswith("/tile/entries/"):
            if mode == "badtile":
                body = b"\xff\xff" + body[2:]
            elif mode == "shorttile":
                body = body[: len(body) - 10]
        if status == 200 and rest == "/tile/" + str(self.tile):
            if mode == "badhash":
                at = 32 * self.hash + 7
                body = body[:at] + bytes([body[at] ^ 1]) + body[at + 1:]
            elif mode == "shorthash":
                body = body[:-1]
        self.send(status, body, ctype)

    @staticmethod
    def change_bundle(mode, body):
        if mode == "truncated":
            return body[: len(body) // 2]
        b = json.loads(body)
        if mode == "extrakey":
            b["extra"] = 1
        elif mode == "escape":
            b["\x1b]0;pwned\x07\x1b[2J"] = 1
            b["origin"] = "\x1b[31mred"
        elif mode == "omit" and len(b["entries"]) > 1:
            b["entries"] = b["entries"][:-1]
        elif mode == "omitprov":
            b["providers"] = []
        elif mode == "othervenue":
            b["venue"] = "zzzzzzzz"
        else:
            return body
        return (json.dumps(b, indent=2) + "\n").encode()


def main():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    if len(sys.argv) == 4:
        import ssl
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(sys.argv[2], sys.argv[3])
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    print("listening on %d" % srv.server_address[1], flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
