#!/usr/bin/env python3
"""tlog_tiles.py: a tlog-tiles client of its own, for the tests.

    tlog_tiles.py BASE_URL

Reads BASE_URL/checkpoint, then recomputes its root hash from the hash
tiles only (C2SP tlog-tiles: tile/<L>/<N>[.p/<W>], RFC 9162 hashing), as
Go's sumdb/tlog does, and checks every level-0 hash against the entry
tiles (tile/entries/...) and every upper tile against the one below.
Prints what it read; exits 0 when the root is the checkpoint's, 1 when
not, 2 when something cannot be fetched or parsed.  It shares no code
with sanilog.
"""
import base64
import hashlib
import sys
import urllib.error
import urllib.request

W = 256


def get(url):
    with urllib.request.urlopen(url, timeout=30) as r:
        return r.read()


def node(l, r):
    return hashlib.sha256(b"\x01" + l + r).digest()


def index_path(n):
    s = "%03d" % (n % 1000)
    n //= 1000
    while n > 0:
        s = "x%03d/%s" % (n % 1000, s)
        n //= 1000
    return s


def tile_path(level, n, width):
    p = "tile/%s/%s" % (level, index_path(n))
    return p if width == W else "%s.p/%d" % (p, width)


class Tiles:
    def __init__(self, base, size):
        self.base, self.size, self.cache, self.fetched = base, size, {}, 0

    def tile(self, level, n):
        """The hashes of hash tile n of level, as wide as the tree has."""
        count = self.size >> (8 * level)
        width = min(W, count - n * W)
        key = (level, n)
        if key not in self.cache:
            data = get("%s/%s" % (self.base, tile_path(level, n, width)))
            if len(data) != 32 * width:
                raise ValueError("%s: %d bytes, not %d"
                                 % (tile_path(level, n, width), len(data),
                                    32 * width))
            self.cache[key] = [data[i:i + 32] for i in range(0, len(data), 32)]
            self.fetched += 1
        return self.cache[key]

    def hash(self, level, k):
        """The hash of the complete subtree of 2^level leaves number k."""
        tl, rest = level // 8, level % 8
        first = k << rest  # in units of level-8*tl hashes
        hashes = []
        for i in range(first, first + (1 << rest)):
            hashes.append(self.tile(tl, i // W)[i % W])
        while len(hashes) > 1:
            hashes = [node(hashes[i], hashes[i + 1])
                      for i in range(0, len(hashes), 2)]
        return hashes[0]


def root(t, size):
    """RFC 9162 MTH of the first size leaves, from complete subtrees."""
    if size == 0:
        return hashlib.sha256(b"").digest()
    parts, start = [], 0
    for level in range(63, -1, -1):
        if size & (1 << level):
            parts.append(t.hash(level, start >> level))
            start += 1 << level
    h = parts[-1]
    for p in reversed(parts[:-1]):
        h = node(p, h)
    return h


def check_entries(base, t, size):
    """Every level-0 hash is the leaf hash of its entry."""
    for n in range((size + W - 1) // W):
        width = min(W, size - n * W)
        p = "tile/entries/%s" % index_path(n)
        if width < W:
            p += ".p/%d" % width
        data, at, i = get("%s/%s" % (base, p)), 0, 0
        while at < len(data):
            ln = int.from_bytes(data[at:at + 2], "big")
            e = data[at + 2:at + 2 + ln]
            at += 2 + ln
            if hashlib.sha256(b"\x00" + e).digest() != t.tile(0, n)[i]:
                return "%s: entry %d is not the hash tile's leaf" % (p, i)
            i += 1
        if i != width:
            return "%s: %d entries, not %d" % (p, i, width)
    # every upper tile hash folds the 256 hashes under it
    level = 1
    while size >> (8 * level) > 0:
        count = size >> (8 * level)
        for k in range(count):
            below = t.tile(level - 1, k)
            h = below[:]
            while len(h) > 1:
                h = [node(h[i], h[i + 1]) for i in range(0, len(h), 2)]
            if h[0] != t.tile(level, k // W)[k % W]:
                return "level %d hash %d is not its tile's root" % (level, k)
        level += 1
    return ""


def main():
    base = sys.argv[1].rstrip("/")
    try:
        cp = get(base + "/checkpoint").decode().split("\n")
        size, want = int(cp[1]), base64.b64decode(cp[2])
        t = Tiles(base, size)
        got = root(t, size)
        why = check_entries(base, t, size)
    except (urllib.error.URLError, ValueError, IndexError) as x:
        print("tlog_tiles: %s" % x)
        return 2
    print("tlog_tiles: size %d, %d hash tiles read" % (size, t.fetched))
    if got != want:
        print("tlog_tiles: the tiles make root %s, the checkpoint says %s"
              % (base64.b64encode(got).decode(), cp[2]))
        return 1
    if why:
        print("tlog_tiles: " + why)
        return 1
    print("tlog_tiles: the tiles make the checkpoint's root")
    return 0


if __name__ == "__main__":
    sys.exit(main())
