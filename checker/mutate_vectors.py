#!/usr/bin/env python3
"""Mutation test of the vector runner: corrupt each vector's expectations (or the bytes a valid
vector holds) one at a time, in a scratch copy, and require the checker to DISAGREE every time.

    python3 checker/mutate_vectors.py spec/vectors

A runner that said "agree" no matter what would pass every real vector; this shows that ours
does not. The spec tree given is copied to a temporary directory and never modified. Exit 0 when
every mutation is caught, 1 otherwise (each missed mutation is listed)."""

import json
import os
import random
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import colophon_check as cc  # noqa: E402

LINE_CODES = ["line.not_utf8", "line.not_json", "line.number", "line.not_canonical"]


def split_file(data):
    """(header lines as list of bytes, separator+body bytes or b'')."""
    k = data.find(b"\n\n")
    if k < 0:
        return data[:-1].split(b"\n"), None
    return data[:k].split(b"\n"), data[k + 2:]


def join_file(headers, body):
    out = b"\n".join(headers) + b"\n"
    if body is not None:
        out += b"\n" + body
    return out


def set_header(headers, key, value):
    key = key.encode()
    out = []
    found = False
    for h in headers:
        if h.startswith(key + b": "):
            out.append(key + b": " + value)
            found = True
        else:
            out.append(h)
    if not found:
        out.insert(1, key + b": " + value)
    return out


def drop_header(headers, key):
    key = key.encode() + b": "
    return [h for h in headers if not h.startswith(key)]


def get_header(headers, key):
    key = key.encode() + b": "
    for h in headers:
        if h.startswith(key):
            return h[len(key):]
    return None


def flip_char(b, i):
    """Change the byte at i to another printable byte of the same class (stays ASCII)."""
    c = b[i:i + 1]
    alt = {b"a": b"b", b"A": b"B", b"0": b"1", b"=": b"A", b"/": b"+", b"+": b"/"}.get(c)
    if alt is None:
        alt = bytes([b[i] ^ 1])
    return b[:i] + alt + b[i + 1:]


def mutations(kind, name, data, rnd):
    """Yield (description, mutated bytes)."""
    headers, body = split_file(data)
    expect = get_header(headers, "expect")
    status = get_header(headers, "status")
    if kind == "ledger":
        yield "expect flipped", join_file(set_header(
            headers, "expect", b"invalid" if expect == b"valid" else b"valid"), body)
        if expect == b"invalid":
            other = b"entry.signature.invalid" if status != b"entry.signature.invalid" \
                else b"entry.schema.invalid"
            yield "status changed", join_file(set_header(headers, "status", other), body)
            line = get_header(headers, "line")
            if line is not None:
                yield "line + 1", join_file(set_header(headers, "line", b"%d" % (int(line) + 1)), body)
            probs = get_header(headers, "problems")
            if probs is not None and b" " in probs:
                yield "problems: last dropped", join_file(
                    set_header(headers, "problems", probs.rsplit(b" ", 1)[0]), body)
            vl = get_header(headers, "valid-lines")
            if vl is not None:
                yield "valid-lines + 1", join_file(
                    set_header(headers, "valid-lines", b"%d" % (int(vl) + 1)), body)
            # every invalid vector must pin its whole problem list (README): a runner that
            # accepted a vector without it would let the list go unchecked
            for key in ("problems", "valid-lines"):
                if get_header(headers, key) is not None:
                    yield key + " header dropped", join_file(drop_header(headers, key), body)
        else:
            # every line of a valid ledger: one changed byte must be caught
            lines = body.split(b"\n")[:-1]
            off = 0
            for n, ln in enumerate(lines):
                i = off + rnd.randrange(len(ln))
                yield "byte %d (line %d) changed" % (i, n + 1), join_file(headers, flip_char(body, i))
                off += len(ln) + 1
            yield "a line dropped from the middle", join_file(
                headers, b"\n".join(lines[:1] + lines[2:]) + b"\n") if len(lines) > 2 else None
    elif kind == "jcs":
        if expect == b"ok":
            out = get_header(headers, "output")
            yield "output changed", join_file(set_header(headers, "output", out[:-1] + b" }"), body)
            yield "output reordered/extended", join_file(
                set_header(headers, "output", out.replace(b"{", b"{\"\":0,", 1)), body)
        else:
            for c in LINE_CODES:
                if c.encode() != status:
                    yield "status -> " + c, join_file(set_header(headers, "status", c.encode()), body)
                    break
            yield "expect -> ok", join_file(set_header(set_header(
                headers, "expect", b"ok"), "output", get_header(headers, "input")), body)
    elif kind == "keys":
        if expect == b"ok":
            kid = get_header(headers, "key-id")
            yield "key-id changed", join_file(set_header(headers, "key-id", flip_char(kid, len(kid) - 1)), body)
            seed = get_header(headers, "seed")
            yield "seed changed", join_file(set_header(headers, "seed", flip_char(seed, 0)), body)
            yield "name changed", join_file(set_header(headers, "name", b"\"Somebody Else\""), body)
        else:
            yield "expect -> ok", join_file(set_header(set_header(set_header(
                headers, "expect", b"ok"), "key-id", b"bcd1d56b5845f21e54ce5b764fc1d552"),
                "seed", cc.FIXED_SEEDS["owner"].encode()), body)
    elif kind == "diff":
        if expect == b"ok":
            res = get_header(headers, "result")
            yield "result changed", join_file(set_header(headers, "result", res[:-1] + b"x\""), body)
            txt = cc.json_parse(res.decode("utf-8"))
            yield "result lost its last character", join_file(
                set_header(headers, "result", json.dumps(txt[:-1] if txt else "x").encode()), body)
        else:
            other = b"diff.base.mismatch" if status == b"diff.malformed" else b"diff.malformed"
            yield "status swapped", join_file(set_header(headers, "status", other), body)
    elif kind == "normalize":
        out = get_header(headers, "output")
        yield "output extended", join_file(set_header(headers, "output", out[:-1] + b"x\""), body)
        txt = cc.json_parse(out.decode("utf-8"))
        yield "output lost its last character", join_file(
            set_header(headers, "output", json.dumps(txt[:-1] if txt else "x").encode()), body)
    elif kind == "clearsign":
        if expect == b"ok":
            other = b"exact" if get_header(headers, "level") == b"words/v2" else b"words/v2"
            yield "level swapped", join_file(set_header(headers, "level", other), body)
            yield "expect -> reject", join_file(set_header(drop_header(set_header(
                headers, "expect", b"reject"), "level"), "status", b"copy.mismatch"), body)
            # A letter of the signed text's last word, right before the blank line and the
            # signature line (text before the article is site chrome, and may change).
            i = body.find(b"\n\ncolophon-signature") - 3
            yield "a word of the text changed", join_file(headers, flip_char(body, i))
        else:
            codes = [b"copy.mismatch", b"clearsign.invalid", b"trust.untrusted"]
            other = codes[(codes.index(status) + 1) % 3] if status in codes else b"copy.mismatch"
            yield "status swapped", join_file(set_header(headers, "status", other), body)
            yield "expect -> ok", join_file(set_header(drop_header(set_header(
                headers, "expect", b"ok"), "status"), "level", b"exact"), body)
    elif kind in ("checkpoint", "proof", "bundle"):
        if expect == b"ok":
            yield "expect -> reject", join_file(set_header(set_header(
                headers, "expect", b"reject"), "status", b"checkpoint.signature"), body)
            # a byte of the root / a proof hash / the signature
            if kind == "checkpoint":
                note_lines = body.split(b"\n")
                note_lines[2] = flip_char(note_lines[2], 3)
                yield "root changed", join_file(headers, b"\n".join(note_lines))
                note_lines = body.split(b"\n")
                note_lines[1] = b"%d" % (int(note_lines[1]) - 1)
                yield "size changed", join_file(headers, b"\n".join(note_lines))
            elif kind == "proof":
                bl = body.split(b"\n")
                bl[3] = flip_char(bl[3], 5)
                yield "first audit-path hash changed", join_file(headers, b"\n".join(bl))
                bl = body.split(b"\n")
                bl[2] = b"index 2"
                yield "index changed", join_file(headers, b"\n".join(bl))
            else:
                k = body.find(b"c2sp.org/tlog-proof@v1\\nindex 0\\n")
                i = k + len(b"c2sp.org/tlog-proof@v1\\nindex 0\\n") + 4
                yield "a proof hash changed", join_file(headers, flip_char(body, i))
                k = body.find(b"winter-sea\\n8\\n")
                yield "the checkpoint's root changed", join_file(
                    headers, body.replace(b"ZPlBTRqCNWNQ", b"ZPlBTRqCNWNR", 1))
        else:
            other = b"proof.inclusion" if status != b"proof.inclusion" else b"checkpoint.malformed"
            yield "status changed", join_file(set_header(headers, "status", other), body)
            yield "expect -> ok", join_file(set_header(headers, "expect", b"ok"), body)
            entry = get_header(headers, "entry")
            if entry is not None:
                yield "entry + 1", join_file(set_header(headers, "entry", b"%d" % (int(entry) + 1)), body)


def main(argv):
    if len(argv) != 1 or not os.path.isdir(argv[0]):
        print(__doc__)
        return 2
    rnd = random.Random(20260115)
    tmp = tempfile.mkdtemp(prefix="colophon-mut-")
    try:
        root = os.path.join(tmp, "vectors")
        shutil.copytree(argv[0], root)
        caught = missed = 0
        missed_list = []
        per_kind = {}
        for kind in sorted(os.listdir(root)):
            runner = cc.VECTOR_KINDS.get(kind)
            d = os.path.join(root, kind)
            if runner is None or not os.path.isdir(d):
                continue
            for f in sorted(os.listdir(d)):
                p = os.path.join(d, f)
                with open(p, "rb") as fh:
                    orig = fh.read()
                ok0, det0 = runner(p)
                if not ok0:
                    missed_list.append("%s/%s: the unmutated vector already disagrees: %s"
                                       % (kind, f, det0))
                    continue
                for desc, mutated in mutations(kind, f, orig, rnd):
                    if mutated is None or mutated == orig:
                        continue
                    with open(p, "wb") as fh:
                        fh.write(mutated)
                    try:
                        ok, _ = runner(p)
                    except cc.BadVector:
                        ok = False
                    except cc.Skip:
                        ok = True
                    finally:
                        with open(p, "wb") as fh:
                            fh.write(orig)
                    c, m = per_kind.get(kind, (0, 0))
                    if ok:
                        missed += 1
                        missed_list.append("%s/%s: %s was NOT caught" % (kind, f, desc))
                        per_kind[kind] = (c, m + 1)
                    else:
                        caught += 1
                        per_kind[kind] = (c + 1, m)
        for k in sorted(per_kind):
            print("%s: %d mutations caught, %d missed" % (k, per_kind[k][0], per_kind[k][1]))
        for x in missed_list:
            print("  " + x)
        print("mutations: %d caught, %d missed" % (caught, missed))
        return 1 if missed or missed_list else 0
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
