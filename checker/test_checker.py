#!/usr/bin/env python3
"""Unit tests of the independent checker on ledgers it signs itself (RFC 8032 test keys), for
rules the spec's vectors do not exercise. Each expectation is this checker's reading of the
spec, cited by section; the README lists the questions the spec once left open, and their answers.

    python3 -m unittest discover -s checker -p 'test_*.py'
"""

import base64
import hashlib
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import colophon_check as cc  # noqa: E402
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402

SEEDS = {k: bytes.fromhex(v) for k, v in cc.FIXED_SEEDS.items()}
PUB = {k: cc.public_from_seed(v) for k, v in SEEDS.items()}
KID = {k: cc.key_id(v) for k, v in PUB.items()}


def b64(b):
    return base64.b64encode(b).decode()


def h(b):
    return hashlib.sha256(b).hexdigest()


def eh(line):
    """The entry hash of a line (L§3.1): of its committed form (L§3.4)."""
    return h(cc.committed_form(line))


class Builder:
    """Builds a ledger line by line, signing each entry (seq and prev filled in unless given)."""

    def __init__(self):
        self.lines = []
        self.t = 0

    def add(self, etype, body, who="owner", seq=None, prev=None, extra=None, sign_with=None,
            raw=None):
        if raw is not None:
            self.lines.append(raw)
            return raw
        obj = {"v": 1, "seq": len(self.lines) if seq is None else seq, "type": etype,
               "signer": KID[who], "time": "2026-01-15T10:%02d:00Z" % (self.t % 60), "body": body}
        self.t += 1
        if self.lines and prev is None:
            obj["prev"] = eh(self.lines[-1])
        elif prev not in (None, "omit"):
            obj["prev"] = prev
        if extra:
            obj.update(extra)
        msg = cc.pae(cc.PAYLOAD_TYPE, cc.signed_body(obj))
        obj["sig"] = b64(Ed25519PrivateKey.from_private_bytes(
            SEEDS[sign_with or who]).sign(msg))
        line = cc.canonical(obj)
        self.lines.append(line)
        return line

    def genesis(self):
        return self.add("genesis", {"origin": "example.org/test", "name": "Olga Owner",
                                    "key": b64(PUB["owner"])}, prev="omit")

    def key(self, who, roles):
        return self.add("key", {"key": b64(PUB[who]), "name": who.title(), "roles": roles})

    def version(self, text, work="w", lang="it", role="original", parent=None, of=None,
                diff=True, who="owner", norm=None, script=None):
        body = {"work": work, "role": role, "lang": lang, "media_type": "text/plain",
                "size": len(text), "sha256": h(text)}
        if parent:
            body["parent"] = parent
        if of:
            body["of"] = of
        if diff:
            if script is None:
                lines = cc.split_lines(text)
                script = [["+"] + [ln.decode() for ln in lines]] if lines else []
            body["diff"] = script
        if norm is None and diff:
            s = text.decode()
            norm = {"text/v1": h(cc.norm_text_v1(s).encode()),
                    "words/v2": h(cc.norm_words_v2(s).encode())}
        if norm:
            body["norm"] = norm
        return self.add("version", body, who=who)

    def data(self):
        return b"".join(x + b"\n" for x in self.lines)

    def problems(self):
        return [cc._fmt_problem(p) for p in cc.audit_bytes(self.data()).problems]


class LedgerRules(unittest.TestCase):
    def test_valid_small_ledger(self):
        b = Builder()
        b.genesis()
        b.key("translator", ["translator"])
        o = eh(b.version(b"Ciao\n"))
        b.version(b"Hello\n", lang="en", role="translation", of=o, who="translator")
        self.assertEqual(b.problems(), [])

    def test_base_is_empty_after_a_hash_only_parent(self):
        # L§8.5: the parent has no diff, so the next script is written against ""
        b = Builder()
        b.genesis()
        p = eh(b.version(b"a\nb\n", diff=False))
        b.version(b"a\nc\n", parent=p)
        self.assertEqual(b.problems(), [])
        b2 = Builder()
        b2.genesis()
        p = eh(b2.version(b"a\nb\n", diff=False))
        b2.version(b"a\nc\n", parent=p, script=[["=", 1], ["-", 1], ["+", "c\n"]])
        self.assertEqual(b2.problems(), ["diff.base.mismatch@3"])

    def test_committed_form_keeps_hash_leaf_and_signature(self):
        # L§3.4: a version line and its committed form have one entry hash, leaf and signature
        b = Builder()
        b.genesis()
        full = b.version(b"Ciao\n")
        c = cc.committed_form(full)
        self.assertNotEqual(c, full)
        self.assertNotIn(b"Ciao", c)
        self.assertEqual(cc.committed_form(c), c)
        self.assertEqual(eh(full), eh(c))
        self.assertEqual(cc.leaf_hash(cc.committed_form(full)), cc.leaf_hash(cc.committed_form(c)))
        # ... and a ledger keeps every script: the withheld line is diff.withheld, nothing else
        b.lines[1] = c
        b.version(b"Ciao!\n", parent=eh(c))
        self.assertEqual(b.problems(), ["diff.withheld@2"])
        # a line that is not canonical is its own committed form
        self.assertEqual(cc.committed_form(full + b" "), full + b" ")

    def test_base_is_empty_after_a_content_problem(self):
        # L§11 step 10: a version with a content problem is in the state, not reconstructible
        b = Builder()
        b.genesis()
        body_ok = b"x\n"
        p = eh(b.version(body_ok, norm={"text/v1": "0" * 64, "words/v2": "0" * 64}))
        b.version(b"y\n", parent=p)  # written against "" as the rule requires
        self.assertEqual(b.problems(), ["content.norm.mismatch@2"])

    @unittest.skipUnless(cc.UNICODE_OK, cc.UNICODE_NOTE)
    def test_norm_mismatch_names_unassigned_code_points(self):
        # L§9.4: a verifier SHOULD say that the content holds code points unassigned in its data
        # (U+0378 is unassigned in every Unicode version so far)
        for text, named in (("a\u0378b\n", "U+0378"), ("ab\n", None)):
            b = Builder()
            b.genesis()
            b.version(text.encode(), norm={"text/v1": "0" * 64, "words/v2": "0" * 64})
            res = cc.audit_bytes(b.data())
            self.assertEqual([cc._fmt_problem(p) for p in res.problems], ["content.norm.mismatch@2"])
            msg = res.problems[0][2]
            if named:
                self.assertIn(named, msg)
                self.assertIn("unassigned", msg)
            else:
                self.assertNotIn("unassigned", msg)

    def test_unknown_norm_profile_is_ignored(self):
        b = Builder()
        b.genesis()
        s = "x y\n"
        b.version(s.encode(), norm={"text/v1": h(cc.norm_text_v1(s).encode()),
                                    "words/v1": h(cc.norm_words_v1(s).encode()),
                                    "x-profile/v9": "0" * 64})
        self.assertEqual(b.problems(), [])

    def test_norm_profile_id_format(self):
        b = Builder()
        b.genesis()
        b.version(b"x\n", norm={"text/v1": "0" * 64, "Words/V2": "0" * 64})
        self.assertEqual(b.problems(), ["entry.schema.invalid@2"])

    def test_genesis_after_a_damaged_first_line(self):
        # L§6.2, L§11 step 6: the first entry to enter the state must be the genesis, wherever it
        # is: after a damaged line 1, the genesis on line 2 enters it (vector
        # reject-genesis-after-damaged-line)
        b = Builder()
        b.add(None, None, raw=b"not json")
        b.add("genesis", {"origin": "o", "name": "Olga Owner", "key": b64(PUB["owner"])}, seq=1)
        self.assertEqual(b.problems(), ["line.not_json@1"])

    def test_too_long_line(self):
        # L§7.2, L§11 step 2: the long line is not hashed, so the next line reports prev whatever
        # it holds (its SHA-256, which Builder writes by default, or 64 zeros), and the Merkle root
        # is unknown. The key entry still enters the state (a chain problem only).
        for prev in (None, "0" * 64):
            b = Builder()
            b.genesis()
            b.add(None, None, raw=b"x" * (cc.LINE_MAX + 1))
            b.key("translator", ["translator"]) if prev is None else b.add(
                "key", {"key": b64(PUB["translator"]), "name": "Translator", "roles": ["translator"]},
                prev=prev)
            b.add("cosign", {"release": "0" * 64}, who="translator")
            res = cc.audit_bytes(b.data())
            self.assertEqual([cc._fmt_problem(p) for p in res.problems],
                             ["line.too_long@2", "entry.prev.mismatch@3", "cosign.ref.invalid@4"])
            self.assertIsNone(res.root)
            self.assertEqual(res.valid_lines, 1)

    def test_revoked_extension_signer(self):
        b = Builder()
        b.genesis()
        b.key("editor", ["editor"])
        b.add("revoke", {"key": KID["editor"], "reason": "retired"})
        b.add("x-note", {}, who="editor", extra={"critical": False})
        self.assertEqual(b.problems(), ["entry.signer.revoked@4"])

    def test_extension_any_role_and_body_ignored(self):
        b = Builder()
        b.genesis()
        b.key("editor", ["editor"])
        b.add("x-note", {"anything": [1, {"b": None}]}, who="editor", extra={"critical": False})
        self.assertEqual(b.problems(), [])

    def test_envelope_order(self):
        # L§6.1, L§6.8, L§11 step 4: v, envelope schema (the type's name, of every type, and
        # critical, only false and only on an extension type), time, entry.type.unknown, body
        bad_time = "2026-01-15t10:00:00z"
        for etype, critical, time, code in [
                ("X Bad", False, None, "entry.schema.invalid"),
                ("X Bad", True, None, "entry.schema.invalid"),
                ("X Bad", True, bad_time, "entry.schema.invalid"),
                ("cosign", True, bad_time, "entry.schema.invalid"),
                ("x-note", True, bad_time, "entry.time.invalid"),
                ("x-note", False, bad_time, "entry.time.invalid"),
                ("x-note", False, None, "entry.type.unknown"),
                ("cosign", False, bad_time, "entry.time.invalid")]:
            b = Builder()
            b.genesis()
            extra = {}
            if critical:
                extra["critical"] = False
            if time:
                extra["time"] = time
            b.add(etype, {"release": "0" * 64}, extra=extra)
            self.assertEqual(b.problems(), ["%s@2" % code], (etype, critical, time))

    def test_editor_may_not_release(self):
        b = Builder()
        b.genesis()
        b.key("editor", ["editor"])
        b.add("release", {"work": "w", "tag": "v1", "translation": "0" * 64,
                          "original": "1" * 64, "lang": {"original": "it", "translation": "en"}},
              who="editor")
        self.assertEqual(b.problems(), ["entry.signer.unauthorized@3"])

    def test_owner_may_revoke_another_owner_but_not_the_last(self):
        b = Builder()
        b.genesis()
        b.key("translator", ["owner", "translator"])
        b.add("revoke", {"key": KID["owner"], "reason": "compromised"})
        b.add("revoke", {"key": KID["translator"], "reason": "retired"}, who="translator")
        self.assertEqual(b.problems(), ["revoke.last_owner@4"])

    def test_time_rules(self):
        for t, code in [("2024-02-29T00:00:00Z", None), ("2023-02-29T00:00:00Z", "entry.time.invalid"),
                        ("1900-02-29T00:00:00Z", "entry.time.invalid"),
                        ("2000-02-29T23:59:59Z", None), ("2026-01-15T24:00:00Z", "entry.time.invalid"),
                        ("2026-01-15T10:00:00.5Z", "entry.time.invalid"),
                        ("2026-01-15T10:00:00+00:00", "entry.time.invalid"),
                        ("２026-01-15T10:00:00Z", "entry.time.invalid"),
                        ("9999-12-31T23:59:59Z", None)]:
            b = Builder()
            b.genesis()
            b.add("key", {"key": b64(PUB["editor"]), "name": "E", "roles": ["editor"]},
                  extra={"time": t})
            self.assertEqual(b.problems(), ["%s@2" % code] if code else [], t)

    def test_lang_tags(self):
        good = ["it", "en", "pt-BR", "zh-Hant-TW", "sr-Latn", "de-CH-1996", "en-x-private",
                "x-whatever", "i-klingon", "en-GB-oed", "zh-min-nan", "es-419", "en-a-bbb-x-a-ccc",
                "sgn-BE-FR", "en-US-u-ca-gregory"]
        bad = ["EN", "pt-br", "zh-hant-tw", "en-", "", "e", "en-us", "en_US", "x", "en-x",
               "abcdefghi", "en-US-x-PRIVATE", "en-a-BBB", "i-Klingon"]
        for t in good:
            self.assertTrue(cc.is_lang(t), t)
        for t in bad:
            self.assertFalse(cc.is_lang(t), t)

    def test_names(self):
        self.assertTrue(cc.is_name("Olga Owner"))
        self.assertTrue(cc.is_name("x" * 128))
        self.assertFalse(cc.is_name("x" * 129))
        self.assertFalse(cc.is_name(" Olga"))
        self.assertFalse(cc.is_name("Olga\u00a0"))
        self.assertFalse(cc.is_name("Ol\x7fga"))
        self.assertTrue(cc.is_name("Olga\u200b"))  # U+200B is not in W

    def test_torn_line_after_damage(self):
        b = Builder()
        b.genesis()
        data = b.data() + b'{"partial'
        probs = [cc._fmt_problem(p) for p in cc.audit_bytes(data).problems]
        self.assertEqual(probs, ["line.torn@2"])

    def test_blank_line_is_not_json(self):
        b = Builder()
        b.genesis()
        data = b.data() + b"\n"
        probs = [cc._fmt_problem(p) for p in cc.audit_bytes(data).problems]
        self.assertEqual(probs, ["line.not_json@2"])

    def test_merkle_root_is_over_all_complete_lines(self):
        b = Builder()
        b.genesis()
        b.key("editor", ["editor"])
        res = cc.audit_bytes(b.data() + b"torn")
        self.assertEqual(res.root, cc.node_hash(cc.leaf_hash(b.lines[0]), cc.leaf_hash(b.lines[1])))


class DiffRules(unittest.TestCase):
    def apply(self, base, script):
        return cc.apply_script(script, base)[0]

    def test_order_of_checks(self):
        # L§8.4: on base "" the script [["+","a"],["=",1]] is diff.base.mismatch
        self.assertEqual(self.apply(b"", [["+", "a"], ["=", 1]]), "diff.base.mismatch")
        self.assertEqual(self.apply(b"a", [["=", 1], ["+", "b"]]), "diff.malformed")
        self.assertEqual(self.apply(b"a\n", [["=", 1], ["+", "b"], ["-", 5]]), "diff.base.mismatch")
        self.assertEqual(self.apply(b"a\n", [["+", "b"], ["=", 1], ["+", "x", 1]]), "diff.malformed")
        self.assertEqual(self.apply(b"", [["=", cc.MAX_U64 + 1]]), "diff.malformed")
        self.assertEqual(self.apply(b"", [["=", True]]), "diff.malformed")
        self.assertEqual(self.apply(b"", [[]]), "diff.malformed")

    def test_crlf_and_lone_cr(self):
        code, _, out = cc.apply_script([["=", 1], ["+", "x\r\n"]], b"a\rb\n")
        self.assertEqual((code, out), (None, b"a\rb\nx\r\n"))


class Normalization(unittest.TestCase):
    @unittest.skipUnless(cc.UNICODE_OK, cc.UNICODE_NOTE)
    def test_profiles(self):
        self.assertEqual(cc.norm_text_v1("\ufeff\ufeffa \r\r\nb\u2028\n\n"), "a\n\nb\n")
        self.assertEqual(cc.norm_words_v1("x\u2033 10\u2076"), "x'' 106")
        self.assertEqual(cc.norm_words_v2("\ufb01\u0301 \u2014\u2013 a\u3000b"), "f\u00ed - a b")
        self.assertEqual(cc.norm_words_v2("  "), "")


if __name__ == "__main__":
    unittest.main()
