#!/usr/bin/env python3
"""hostile_bundle.py: a venue bundle made to cost a verifier as much as it
can, from an honest one.

    hostile_bundle.py BASE.json N KIND > OUT.json

BASE is an honest bundle (its checkpoint, key and first entries are kept, so
that the verifier gets past rule 1); N items of KIND are added after them:

  junk      entries that do not parse (each one a failed check)
  docs      documents of the venue, each attested by a provider whose key
            entry is in the bundle N times (the signatures do not verify)
  revokes   revocations of the venue, each naming venue-seq 1
  chain     documents of the venue, each with a wrong prev
  providers provider-key entries of one name (N), and documents (N) that
            name it
  keysafter documents (N) attested by a key hash no key has, then N
            provider-key entries of that name, all after the documents

Indexes go up from past the base's; proofs are empty, so each inclusion
check fails at once, as a hostile log's would after one hash each.
"""
import json
import sys

B64 = "A" * 86 + "=="  # 64 zero bytes, standard base64
HASH = "0" * 64


def venue_lines(venue, seq):
    return f"sanilog-entry v1\nvenue {venue}\nvenue-seq {seq}\nprev {HASH}\n"


def document(venue, seq, provider=None):
    att = ""
    prov = ""
    if provider is not None:
        name, khash = provider
        prov = f"provider {name}\n"
        att = f"attestation {name}+{khash} {B64[:88]}\n"
    return (venue_lines(venue, seq) + "kind document\ntype sanitization\n"
            "title Junk\nperformed 2026-11-20\n" + prov +
            f"doc {HASH} 10 application/pdf\n" + att +
            "submitted-by owner\nlogged 2026-11-25T10:00:00Z\n")


def main():
    base_path, n, kind = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    with open(base_path, encoding="utf-8") as f:
        b = json.load(f)
    venue = b["venue"]
    ents = b["entries"]
    provs = b["providers"]
    top = max([x["index"] for x in ents + provs] + [0]) + 1
    seq = len(ents)

    def item(i, text):
        return {"index": top + i, "entry": text, "proof": []}

    if kind == "junk":
        ents += [item(i, "x") for i in range(n)]
    elif kind == "docs" or kind == "providers":
        # A key entry of the attesting provider, repeated.
        key = next((p for p in provs if "kind provider-key" in p["entry"]),
                   None)
        if key is None:
            sys.exit("hostile_bundle: the base bundle has no provider key")
        lines = dict(ln.split(" ", 1) for ln in key["entry"].splitlines()[1:])
        name, khash = lines["name"], lines["vkey"].split("+")[1]
        provs += [item(i, key["entry"]) for i in range(n)]
        top += n
        ents += [item(i, document(venue, seq + i, (name, khash)))
                 for i in range(n)]
    elif kind == "keysafter":
        key = next((p for p in provs if "kind provider-key" in p["entry"]),
                   None)
        if key is None:
            sys.exit("hostile_bundle: the base bundle has no provider key")
        lines = dict(ln.split(" ", 1) for ln in key["entry"].splitlines()[1:])
        name = lines["name"]
        ents += [item(i, document(venue, seq + i, (name, "00000001")))
                 for i in range(n)]
        top += n
        provs += [item(i, key["entry"]) for i in range(n)]
    elif kind == "revokes":
        ents += [item(i, venue_lines(venue, seq + i) +
                      "kind revocation\nrevokes 1\nreason junk\n"
                      "submitted-by owner\nlogged 2026-11-25T10:00:00Z\n")
                 for i in range(n)]
    elif kind == "chain":
        ents += [item(i, document(venue, seq + i)) for i in range(n)]
    else:
        sys.exit(f"hostile_bundle: unknown kind {kind}")
    json.dump(b, sys.stdout, separators=(",", ":"))


if __name__ == "__main__":
    main()
