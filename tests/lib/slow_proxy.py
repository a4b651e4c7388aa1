#!/usr/bin/env python3
"""slow_proxy.py: an HTTP proxy that answers every request late.

    slow_proxy.py LISTEN_PORT BACKEND_PORT DELAY_SECONDS

Listens on 127.0.0.1:LISTEN_PORT, waits DELAY_SECONDS, then forwards the
request (method, path, Content-Type, body) to 127.0.0.1:BACKEND_PORT and
relays its status, Content-Type and body.  For tests of a slow witness.
"""
import http.client
import http.server
import sys
import time


class Slow(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def relay(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else None
        time.sleep(DELAY)
        c = http.client.HTTPConnection("127.0.0.1", BACKEND, timeout=30)
        h = {}
        if self.headers.get("Content-Type"):
            h["Content-Type"] = self.headers["Content-Type"]
        c.request(self.command, self.path, body=body, headers=h)
        r = c.getresponse()
        data = r.read()
        self.send_response(r.status)
        self.send_header("Content-Type", r.getheader("Content-Type") or "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        c.close()

    do_GET = relay
    do_POST = relay

    def log_message(self, *args):
        pass


LISTEN, BACKEND, DELAY = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
http.server.ThreadingHTTPServer(("127.0.0.1", LISTEN), Slow).serve_forever()
