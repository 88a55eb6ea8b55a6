#!/usr/bin/env python3
"""Independent checker for colophon ledgers and the spec's test vectors.

Written from spec/ledger.md, spec/transparency.md, spec/verify.md and
spec/vectors/README.md alone, without reading the reference implementation.
Section numbers in comments (L§n, T§n, V§n) refer to those three documents.

Usage:
    python3 checker/colophon_check.py LEDGER...
    python3 checker/colophon_check.py --vectors spec/vectors [--only DIR]...
    python3 checker/colophon_check.py --outside ../shared/vectors

Only the standard library and `cryptography` are needed; the normalization
profiles (L§9) need `unicodedata2` with Unicode 15.1 or later data (L§9.4).
"""

import base64
import hashlib
import os
import re
import sys

try:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )
    from cryptography.exceptions import InvalidSignature
except ImportError:  # pragma: no cover - reported at start-up
    Ed25519PublicKey = None

try:
    import unicodedata2 as _ud
except ImportError:
    _ud = None


class CheckerError(Exception):
    """A bug or an internal inconsistency of this checker (never a verdict)."""


# ---------------------------------------------------------------------------
# Unicode data (L§9.4)
# ---------------------------------------------------------------------------

def _version_tuple(v):
    return tuple(int(x) for x in v.split("."))


if _ud is not None and _version_tuple(_ud.unidata_version) >= (15, 1, 0):
    UNICODE_OK = True
    UNICODE_NOTE = "unicodedata2 with Unicode %s data" % _ud.unidata_version
else:
    UNICODE_OK = False
    if _ud is None:
        UNICODE_NOTE = ("unicodedata2 is not installed; Python's own unicodedata has Unicode %s, "
                        "below the 15.1 that spec/ledger.md 9.4 requires, so normalized hashes "
                        "(text/v1, words/v1, words/v2) are NOT checked (pip install unicodedata2)"
                        % __import__("unicodedata").unidata_version)
    else:
        UNICODE_NOTE = ("unicodedata2 has Unicode %s, below the 15.1 that spec/ledger.md 9.4 "
                        "requires, so normalized hashes are NOT checked" % _ud.unidata_version)


class NormUnavailable(Exception):
    """Raised when a normalization profile is needed but no conforming Unicode data exists."""


# ---------------------------------------------------------------------------
# Canonical base64 (L§4.2)
# ---------------------------------------------------------------------------

_B64_RE = re.compile(r"\A[A-Za-z0-9+/]*={0,2}\Z")


def b64_canonical(s):
    """Decode standard padded base64, or return None unless `s` is the exact encoding."""
    if not isinstance(s, str) or len(s) % 4 != 0 or not _B64_RE.match(s):
        return None
    try:
        raw = base64.b64decode(s, validate=True)
    except (ValueError, base64.binascii.Error):
        return None
    if base64.b64encode(raw).decode("ascii") != s:
        return None  # non-zero padding bits and the like
    return raw


# ---------------------------------------------------------------------------
# Ed25519 arithmetic in pure Python (RFC 8032 section 5.1), used for L§4.3 and L§5.2
# ---------------------------------------------------------------------------

ED_P = 2 ** 255 - 19
ED_L = 2 ** 252 + 27742317777372353535851937790883648493
ED_D = (-121665 * pow(121666, ED_P - 2, ED_P)) % ED_P
_SQRT_M1 = pow(2, (ED_P - 1) // 4, ED_P)


def _recover_x(y, sign):
    """Return x for y and sign, or None if y is not the y of a curve point or x=0 with sign 1."""
    if y >= ED_P:
        return None
    x2 = (y * y - 1) * pow(ED_D * y * y + 1, ED_P - 2, ED_P) % ED_P
    if x2 == 0:
        if sign:
            return None
        return 0
    x = pow(x2, (ED_P + 3) // 8, ED_P)
    if (x * x - x2) % ED_P != 0:
        x = x * _SQRT_M1 % ED_P
    if (x * x - x2) % ED_P != 0:
        return None
    if (x & 1) != sign:
        x = ED_P - x
    return x


def ed_decode(b):
    """Strict RFC 8032 5.1.3 decoding: None unless canonical and on the curve. Extended coords."""
    if len(b) != 32:
        return None
    n = int.from_bytes(b, "little")
    sign = n >> 255
    y = n & ((1 << 255) - 1)
    x = _recover_x(y, sign)
    if x is None:
        return None
    return (x, y, 1, x * y % ED_P)


def ed_encode(P):
    X, Y, Z, _ = P
    zi = pow(Z, ED_P - 2, ED_P)
    x = X * zi % ED_P
    y = Y * zi % ED_P
    return (y | ((x & 1) << 255)).to_bytes(32, "little")


def ed_add(P, Q):
    X1, Y1, Z1, T1 = P
    X2, Y2, Z2, T2 = Q
    A = (Y1 - X1) * (Y2 - X2) % ED_P
    B = (Y1 + X1) * (Y2 + X2) % ED_P
    C = 2 * T1 * T2 * ED_D % ED_P
    D = 2 * Z1 * Z2 % ED_P
    E, F, G, H = B - A, D - C, D + C, B + A
    return (E * F % ED_P, G * H % ED_P, F * G % ED_P, E * H % ED_P)


def ed_double(P):
    return ed_add(P, P)


def ed_neg(P):
    X, Y, Z, T = P
    return ((-X) % ED_P, Y, Z, (-T) % ED_P)


ED_IDENTITY = (0, 1, 1, 0)


def ed_mul(k, P):
    Q = ED_IDENTITY
    while k > 0:
        if k & 1:
            Q = ed_add(Q, P)
        P = ed_double(P)
        k >>= 1
    return Q


def ed_is_identity(P):
    X, Y, Z, _ = P
    return X % ED_P == 0 and (Y - Z) % ED_P == 0


def ed_small_order(P):
    """Order divides 8."""
    return ed_is_identity(ed_double(ed_double(ed_double(P))))


_BY = 4 * pow(5, ED_P - 2, ED_P) % ED_P
ED_B = (_recover_x(_BY, 0), _BY, 1, _recover_x(_BY, 0) * _BY % ED_P)


def public_key_problem(raw):
    """L§5.2 for 32 decoded bytes: None, 'schema' (not canonical / not on curve) or 'weak'."""
    if raw is None or len(raw) != 32:
        return "schema"
    P = ed_decode(raw)
    if P is None:
        return "schema"
    if ed_small_order(P):
        return "weak"
    return None


def ed_verify_strict_pure(pub, msg, sig):
    """L§4.3 rules 2-4 in pure Python. Returns (ok, reason)."""
    if len(sig) != 64:
        return False, "signature is not 64 bytes"
    Rb, S = sig[:32], int.from_bytes(sig[32:], "little")
    if S >= ED_L:
        return False, "S is not below L (non-canonical S)"
    A = ed_decode(pub)
    if A is None:
        return False, "public key is not a canonical curve point"
    if ed_small_order(A):
        return False, "public key is of small order"
    R = ed_decode(Rb)
    if R is None:
        return False, "R does not decode to a curve point (canonically)"
    if ed_small_order(R):
        return False, "R is of small order"
    k = int.from_bytes(hashlib.sha512(Rb + pub + msg).digest(), "little") % ED_L
    check = ed_add(ed_mul(S, ED_B), ed_neg(ed_mul(k, A)))
    if ed_encode(check) != Rb:
        return False, "[S]B - [k]A does not encode to R (cofactorless equation)"
    return True, "ok"


def ed_verify_strict(pub, msg, sig):
    """L§4.3: the pure-Python verdict, cross-checked against `cryptography` (OpenSSL).

    OpenSSL's Ed25519 verification is the cofactorless RFC 8032 check with canonical S; it does
    not reject small-order keys or R. So when our extra rules (canonical A, small order A and R)
    pass, both must agree on the equation; a disagreement is a bug in one of them."""
    ok, reason = ed_verify_strict_pure(pub, msg, sig)
    extra_rule = reason in ("public key is of small order", "R is of small order",
                            "public key is not a canonical curve point",
                            "R does not decode to a curve point (canonically)",
                            "signature is not 64 bytes")
    if Ed25519PublicKey is not None and not extra_rule:
        try:
            Ed25519PublicKey.from_public_bytes(pub).verify(sig, msg)
            lib_ok = True
        except InvalidSignature:
            lib_ok = False
        except ValueError:
            lib_ok = False
        if lib_ok != ok:
            raise CheckerError("pure-Python Ed25519 says %s (%s) but cryptography says %s"
                               % (ok, reason, lib_ok))
    return ok, reason


def public_from_seed(seed):
    from cryptography.hazmat.primitives import serialization
    sk = Ed25519PrivateKey.from_private_bytes(seed)
    return sk.public_key().public_bytes(serialization.Encoding.Raw,
                                        serialization.PublicFormat.Raw)


def key_id(pub):
    """L§5.1."""
    return hashlib.sha256(b"\x01" + pub).digest()[:16].hex()


# ---------------------------------------------------------------------------
# Strict JSON (RFC 8259) and canonical serialization (L§2)
# ---------------------------------------------------------------------------

class JNum:
    """A number token that is not plain decimal digits (sign, fraction or exponent), or one too
    long to be worth converting. `token` is the text as written."""

    __slots__ = ("token",)

    def __init__(self, token):
        self.token = token

    def __repr__(self):
        return "JNum(%s)" % self.token


class JSONError(Exception):
    pass


_WS = " \t\n\r"
_NUM_RE = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_PLAIN_RE = re.compile(r"(?:0|[1-9][0-9]*)\Z")
_STR_CHUNK = re.compile(r'[^"\\\x00-\x1f]+')
_HEX4 = re.compile(r"[0-9a-fA-F]{4}\Z")
_ESC = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}

MAX_SAFE = 2 ** 53 - 1


def json_parse(s, numbers=None, top_names=None, texts_names=None):
    """Parse a complete JSON text (str). Objects become dicts (a repeated name keeps the last
    value: the serialization then differs from the input, L§2.3), integers written as plain
    digits become int, other numbers JNum. Raises JSONError.

    numbers: an optional list that receives every number token *as written* that is outside
    the format (L§2.1: sign, fraction, exponent, or above 2^53 - 1), including those inside a
    member that a repeated name later replaces.
    top_names: an optional list that receives the member names of the outermost object, as
    written, repeats included (V§3.3).
    texts_names: likewise for the object that is the value of the outermost member "texts"."""
    n = len(s)
    i = 0

    def skip_ws(i):
        while i < n and s[i] in _WS:
            i += 1
        return i

    def parse_string(i):
        # s[i] == '"'
        i += 1
        out = []
        while True:
            m = _STR_CHUNK.match(s, i)
            if m:
                out.append(m.group())
                i = m.end()
            if i >= n:
                raise JSONError("unterminated string")
            c = s[i]
            if c == '"':
                return "".join(out), i + 1
            if c == "\\":
                if i + 1 >= n:
                    raise JSONError("unterminated escape")
                e = s[i + 1]
                if e in _ESC:
                    out.append(_ESC[e])
                    i += 2
                    continue
                if e != "u":
                    raise JSONError("invalid escape \\%s" % e)
                h = s[i + 2:i + 6]
                if not _HEX4.match(h):
                    raise JSONError("invalid \\u escape")
                cp = int(h, 16)
                i += 6
                if 0xD800 <= cp <= 0xDBFF:
                    h2 = s[i + 2:i + 6] if s[i:i + 2] == "\\u" else ""
                    if _HEX4.match(h2) and 0xDC00 <= int(h2, 16) <= 0xDFFF:
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (int(h2, 16) - 0xDC00)
                        i += 6
                    else:
                        raise JSONError("lone surrogate escape")
                elif 0xDC00 <= cp <= 0xDFFF:
                    raise JSONError("lone surrogate escape")
                out.append(chr(cp))
                continue
            if ord(c) < 0x20:
                raise JSONError("unescaped control character in string")
            # surrogate code points cannot occur in a str decoded strictly from UTF-8
            raise JSONError("unexpected character in string")

    # Iterative parser: a stack of containers under construction.
    # Each frame: [container, pending_key_or_None, expecting]
    stack = []
    i = skip_ws(0)
    result = None
    have_result = False
    while True:
        # parse a value at i
        if i >= n:
            raise JSONError("unexpected end of text")
        c = s[i]
        value_done = True
        if c == "{":
            i = skip_ws(i + 1)
            if i < n and s[i] == "}":
                val = {}
                i += 1
            else:
                if i >= n or s[i] != '"':
                    raise JSONError("expected member name")
                key, i = parse_string(i)
                i = skip_ws(i)
                if i >= n or s[i] != ":":
                    raise JSONError("expected ':'")
                i = skip_ws(i + 1)
                stack.append([{}, key])
                if top_names is not None and len(stack) == 1:
                    top_names.append(key)
                if (texts_names is not None and len(stack) == 2 and isinstance(stack[0][0], dict)
                        and stack[0][1] == "texts"):
                    texts_names.append(key)
                value_done = False
        elif c == "[":
            i = skip_ws(i + 1)
            if i < n and s[i] == "]":
                val = []
                i += 1
            else:
                stack.append([[], None])
                value_done = False
        elif c == '"':
            val, i = parse_string(i)
        elif c == "t" and s.startswith("true", i):
            val, i = True, i + 4
        elif c == "f" and s.startswith("false", i):
            val, i = False, i + 5
        elif c == "n" and s.startswith("null", i):
            val, i = None, i + 4
        else:
            m = _NUM_RE.match(s, i)
            if not m:
                raise JSONError("unexpected character %r" % c)
            tok = m.group()
            i = m.end()
            if _PLAIN_RE.match(tok) and len(tok) <= 40:
                val = int(tok)
                if numbers is not None and val > MAX_SAFE:
                    numbers.append(tok)
            else:
                val = JNum(tok)
                if numbers is not None:
                    numbers.append(tok)
        if not value_done:
            continue
        # attach val to enclosing containers, closing as many as end here
        while True:
            if not stack:
                result = val
                have_result = True
                break
            frame = stack[-1]
            cont = frame[0]
            i = skip_ws(i)
            if isinstance(cont, dict):
                cont[frame[1]] = val
                if i < n and s[i] == ",":
                    i = skip_ws(i + 1)
                    if i >= n or s[i] != '"':
                        raise JSONError("expected member name")
                    key, i = parse_string(i)
                    i = skip_ws(i)
                    if i >= n or s[i] != ":":
                        raise JSONError("expected ':'")
                    i = skip_ws(i + 1)
                    frame[1] = key
                    if top_names is not None and len(stack) == 1:
                        top_names.append(key)
                    if (texts_names is not None and len(stack) == 2 and isinstance(stack[0][0], dict)
                            and stack[0][1] == "texts"):
                        texts_names.append(key)
                    break  # parse next value
                if i < n and s[i] == "}":
                    i += 1
                    stack.pop()
                    val = cont
                    continue
                raise JSONError("expected ',' or '}'")
            else:
                cont.append(val)
                if i < n and s[i] == ",":
                    i = skip_ws(i + 1)
                    break
                if i < n and s[i] == "]":
                    i += 1
                    stack.pop()
                    val = cont
                    continue
                raise JSONError("expected ',' or ']'")
        if have_result:
            break
    i = skip_ws(i)
    if i != n:
        raise JSONError("text after the JSON value")
    return result


def json_walk(v):
    """Yield every value in v (iteratively)."""
    todo = [v]
    while todo:
        x = todo.pop()
        yield x
        if isinstance(x, dict):
            todo.extend(x.values())
        elif isinstance(x, list):
            todo.extend(x)


def _utf16_key(s):
    return s.encode("utf-16-be", "surrogatepass")


_ESC_OUT = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n",
            "\f": "\\f", "\r": "\\r"}
_NEEDS_ESC = re.compile(r'["\\\x00-\x1f]')


def _canon_str(s):
    def rep(m):
        c = m.group()
        return _ESC_OUT.get(c) or "\\u%04x" % ord(c)
    return '"' + _NEEDS_ESC.sub(rep, s) + '"'


def canonical(v):
    """L§2.2 serialization, as bytes. Numbers must be plain ints."""
    out = []
    todo = [("v", v)]
    while todo:
        kind, x = todo.pop()
        if kind == "lit":
            out.append(x)
            continue
        if x is None:
            out.append("null")
        elif x is True:
            out.append("true")
        elif x is False:
            out.append("false")
        elif type(x) is int:
            out.append(str(x))
        elif isinstance(x, str):
            out.append(_canon_str(x))
        elif isinstance(x, JNum):
            out.append(x.token)  # only reached when canonicalizing outside the format
        elif isinstance(x, list):
            parts = [("lit", "]")]
            for j in range(len(x) - 1, -1, -1):
                parts.append(("v", x[j]))
                if j:
                    parts.append(("lit", ","))
            parts.append(("lit", "["))
            todo.extend(parts)
        elif isinstance(x, dict):
            keys = sorted(x, key=_utf16_key)
            parts = [("lit", "}")]
            for j in range(len(keys) - 1, -1, -1):
                parts.append(("v", x[keys[j]]))
                parts.append(("lit", _canon_str(keys[j]) + ":"))
                if j:
                    parts.append(("lit", ","))
            parts.append(("lit", "{"))
            todo.extend(parts)
        else:
            raise CheckerError("cannot serialize %r" % (x,))
    return "".join(out).encode("utf-8")


def check_line(raw):
    """L§2.3 on one line's bytes. Returns (code, message, value); code None when all pass."""
    try:
        text = raw.decode("utf-8", "strict")
    except UnicodeDecodeError as e:
        return "line.not_utf8", "not valid UTF-8 at byte %d" % e.start, None
    bad_numbers = []
    try:
        value = json_parse(text, bad_numbers)
    except JSONError as e:
        return "line.not_json", "does not parse as JSON: %s" % e, None
    if bad_numbers:
        return ("line.number", "number %s is not decimal digits alone in 0..2^53-1"
                % bad_numbers[0][:40], None)
    if canonical(value) != raw:
        return "line.not_canonical", "is not its canonical serialization (RFC 8785)", None
    if not isinstance(value, dict):
        return "line.not_json", "is not a JSON object", None
    return None, None, value


# ---------------------------------------------------------------------------
# Field formats (L§6.1, L§5.3, L§3)
# ---------------------------------------------------------------------------

W_SET = frozenset([chr(c) for c in range(0x09, 0x0E)] + ["\u0020", "\u0085", "\u00a0", "\u1680"]
                  + [chr(c) for c in range(0x2000, 0x200B)]
                  + ["\u2028", "\u2029", "\u202f", "\u205f", "\u3000"])
assert len(W_SET) == 25

_HASH_RE = re.compile(r"[0-9a-f]{64}\Z")
_KEYID_RE = re.compile(r"[0-9a-f]{32}\Z")
_WORK_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,127}\Z")
_TAG_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}\Z")
_TYPE_NAME_RE = re.compile(r"[a-z][a-z0-9._-]{0,63}\Z")  # L§6.1, every type (L§6.8)
_PROFILE_RE = re.compile(r"[a-z0-9/._-]{1,32}\Z")
_TIME_RE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})Z\Z")


def is_cc(c):
    o = ord(c)
    return o < 0x20 or 0x7F <= o <= 0x9F


def is_hash(v):
    return isinstance(v, str) and bool(_HASH_RE.match(v))


def is_keyid(v):
    return isinstance(v, str) and bool(_KEYID_RE.match(v))


def is_name(v):
    """L§5.3: 1 to 128 scalar values, none Cc, first and last not in W."""
    return (isinstance(v, str) and 1 <= len(v) <= 128 and not any(is_cc(c) for c in v)
            and v[0] not in W_SET and v[-1] not in W_SET)


def is_work(v):
    return isinstance(v, str) and bool(_WORK_RE.match(v))


def is_tag(v):
    return isinstance(v, str) and bool(_TAG_RE.match(v))


def is_media_type(v):
    return (isinstance(v, str) and 1 <= len(v) <= 255 and "/" in v
            and all(0x20 <= ord(c) <= 0x7E for c in v))


def is_note(v):
    return (isinstance(v, str) and 1 <= len(v) <= 4096
            and not any(is_cc(c) and c != "\n" for c in v))


def is_url(v):
    return (isinstance(v, str) and 9 <= len(v) <= 2048
            and all(0x21 <= ord(c) <= 0x7E for c in v)
            and (v.startswith("https://") or v.startswith("http://")))


def is_origin(v):
    return (isinstance(v, str) and 1 <= len(v) <= 255
            and all(0x21 <= ord(c) <= 0x7E and c != "+" for c in v))


def time_problem(v):
    """L§6.1 time rule for a string: None if fine, else a message."""
    m = _TIME_RE.match(v)
    if not m:
        return "not of the form YYYY-MM-DDTHH:MM:SSZ"
    y, mo, d, h, mi, s = (int(g) for g in m.groups())
    if not 1970 <= y <= 9999:
        return "year %d outside 1970-9999" % y
    if not 1 <= mo <= 12:
        return "month %02d does not exist" % mo
    leap = y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)
    mdays = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1]
    if not 1 <= d <= mdays:
        return "day %02d does not exist in %04d-%02d" % (d, y, mo)
    if h > 23 or mi > 59 or s > 59:
        return "time of day %02d:%02d:%02d does not exist" % (h, mi, s)
    return None


# BCP 47 well-formedness (RFC 5646 section 2.1), on the lowercased tag.
_LANGTAG = (r"(?:[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{4}|[a-z]{5,8})"
            r"(?:-[a-z]{4})?"
            r"(?:-(?:[a-z]{2}|[0-9]{3}))?"
            r"(?:-(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*"
            r"(?:-[0-9a-wyz](?:-[a-z0-9]{2,8})+)*"
            r"(?:-x(?:-[a-z0-9]{1,8})+)?")
_PRIVATEUSE = r"x(?:-[a-z0-9]{1,8})+"
_GRANDFATHERED = ("en-gb-oed|i-ami|i-bnn|i-default|i-enochian|i-hak|i-klingon|i-lux|i-mingo|"
                  "i-navajo|i-pwn|i-tao|i-tay|i-tsu|sgn-be-fr|sgn-be-nl|sgn-ch-de|"
                  "art-lojban|cel-gaulish|no-bok|no-nyn|zh-guoyu|zh-hakka|zh-min|zh-min-nan|"
                  "zh-xiang")
_BCP47_RE = re.compile(r"(?:%s|%s|%s)\Z" % (_LANGTAG, _PRIVATEUSE, _GRANDFATHERED))


def bcp47_recommended_case(tag):
    out = []
    after_singleton = False
    for i, sub in enumerate(tag.split("-")):
        if len(sub) == 1:
            after_singleton = True
            out.append(sub.lower())
        elif i == 0 or after_singleton:
            out.append(sub.lower())
        elif len(sub) == 2:
            out.append(sub.upper())
        elif len(sub) == 4:
            out.append(sub[0].upper() + sub[1:].lower())
        else:
            out.append(sub.lower())
    return "-".join(out)


def is_lang(v):
    if not isinstance(v, str) or not v.isascii():
        return False
    if not _BCP47_RE.match(v.lower()):
        return False
    return bcp47_recommended_case(v) == v


# ---------------------------------------------------------------------------
# Normalization profiles (L§9)
# ---------------------------------------------------------------------------

I_SET = frozenset(["\u00ad", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"]
                  + [chr(c) for c in range(0xFE00, 0xFE10)]
                  + [chr(c) for c in range(0xE0100, 0xE01F0)])

F_TABLE = {}
for _c in "\u2018\u2019\u201a\u201b\u2032\u2039\u203a":
    F_TABLE[_c] = "'"
for _c in "\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb":
    F_TABLE[_c] = '"'
for _c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212":
    F_TABLE[_c] = "-"

F2_TABLE = {}
for _c in "\u2018\u2019\u201a\u201b\u2039\u203a":
    F2_TABLE[_c] = "'"
for _c in "\u201c\u201d\u201e\u201f\u00ab\u00bb":
    F2_TABLE[_c] = '"'
for _c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe31\ufe32\ufe58\ufe63":
    F2_TABLE[_c] = "-"
for _c in W_SET:
    F2_TABLE[_c] = " "
F2_TABLE.update({"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl",
                 "\ufb05": "\u017ft", "\ufb06": "st",
                 "\ufb13": "\u0574\u0576", "\ufb14": "\u0574\u0565", "\ufb15": "\u0574\u056b",
                 "\ufb16": "\u057e\u0576", "\ufb17": "\u0574\u056d"})
for _o in range(0xFF01, 0xFF5F):
    F2_TABLE[chr(_o)] = chr(_o - 0xFEE0)
F2_TABLE.update({"\uff5f": "\u2985", "\uff60": "\u2986",
                 "\uffe0": "\u00a2", "\uffe1": "\u00a3", "\uffe2": "\u00ac", "\uffe3": "\u00af",
                 "\uffe4": "\u00a6", "\uffe5": "\u00a5", "\uffe6": "\u20a9",
                 "\u2026": "..."})
assert len(F2_TABLE) == 164, len(F2_TABLE)

_HYPHEN_RUN = re.compile(r"-{2,}")
_W_CLASS = "[" + "".join(re.escape(c) for c in sorted(W_SET)) + "]+"
_W_RUN = re.compile(_W_CLASS)


def _nf(form, s):
    if not UNICODE_OK:
        raise NormUnavailable(UNICODE_NOTE)
    return _ud.normalize(form, s)


def norm_text_v1(s):
    while s.startswith("\ufeff"):
        s = s[1:]
    s = s.replace("\r\n", "\n").replace("\r", "\n")
    s = _nf("NFC", s)
    wchars = "".join(W_SET)
    s = "\n".join(line.rstrip(wchars) for line in s.split("\n"))
    s = s.rstrip("\n")
    return s + "\n" if s else s


def _words_tail(s):
    s = _HYPHEN_RUN.sub("-", s)
    s = _W_RUN.sub(" ", s)
    if s.startswith(" "):
        s = s[1:]
    if s.endswith(" "):
        s = s[:-1]
    return s


def norm_words_v1(s):
    s = "".join(c for c in s if c not in I_SET)
    s = _nf("NFKC", s)
    s = "".join(F_TABLE.get(c, c) for c in s)
    return _words_tail(s)


def norm_words_v2(s):
    s = "".join(c for c in s if c not in I_SET)
    s = "".join(F2_TABLE.get(c, c) for c in s)
    s = _nf("NFC", s)
    return _words_tail(s)


PROFILES = {"text/v1": norm_text_v1, "words/v1": norm_words_v1, "words/v2": norm_words_v2}


def unassigned_note(text):
    """L§9.4: what to add to a norm mismatch when the text holds code points unassigned in this
    checker's Unicode data (general category Cn), where an implementation with other data may
    normalize differently; '' when there are none."""
    cps = sorted({c for c in text if _ud.category(c) == "Cn"})
    if not cps:
        return ""
    shown = ", ".join("U+%04X" % ord(c) for c in cps[:8]) + (", ..." if len(cps) > 8 else "")
    return ("; the text holds %d code point%s unassigned in this checker's Unicode %s data (%s), "
            "which an implementation with other data may normalize differently (L§9.4)"
            % (len(cps), "" if len(cps) == 1 else "s", _ud.unidata_version, shown))


# ---------------------------------------------------------------------------
# Diff scripts (L§8)
# ---------------------------------------------------------------------------

MAX_U64 = 2 ** 64 - 1


def split_lines(b):
    """L§8.1 on bytes."""
    out = []
    i = 0
    n = len(b)
    while i < n:
        j = b.find(b"\n", i)
        if j < 0:
            out.append(b[i:])
            break
        out.append(b[i:j + 1])
        i = j + 1
    return out


def script_problem(script):
    """L§8.3 step 1. Returns None or a message (diff.malformed)."""
    if not isinstance(script, list):
        return "the script is not a JSON array"
    prev = None
    for k, op in enumerate(script):
        where = "operation %d" % (k + 1)
        if not isinstance(op, list):
            return where + " is not an array"
        if not op or not isinstance(op[0], str) or op[0] not in ("=", "-", "+"):
            return where + " does not start with \"=\", \"-\" or \"+\""
        name = op[0]
        if name in ("=", "-"):
            if len(op) != 2:
                return where + " (%s) does not have exactly one count" % name
            cnt = op[1]
            if type(cnt) is not int or not 1 <= cnt <= MAX_U64:
                return where + " (%s) has a count that is not an integer in 1..2^64-1" % name
        else:
            if len(op) < 2:
                return where + " (+) inserts no lines"
            for j, s in enumerate(op[1:]):
                if not isinstance(s, str):
                    return where + " (+) element %d is not a string" % (j + 1)
                if s == "":
                    return where + " (+) element %d is empty" % (j + 1)
                if "\n" in s[:-1]:
                    return where + " (+) element %d has LF before its end" % (j + 1)
                if j < len(op) - 2 and not s.endswith("\n"):
                    return where + " (+) element %d is not the last but lacks LF" % (j + 1)
        if name == prev:
            return where + " has the same name as the one before (%s)" % name
        prev = name
    return None


def apply_script(script, base):
    """L§8.3. Returns (code, message, output_bytes)."""
    p = script_problem(script)
    if p:
        return "diff.malformed", p, None
    lines = split_lines(base)
    m = len(lines)
    i = 0
    out = []
    open_line = False  # output non-empty and not ending with LF
    for k, op in enumerate(script):
        if op[0] == "=":
            n = op[1]
            if i + n > m:
                return ("diff.base.mismatch",
                        "operation %d keeps %d lines past line %d of a %d-line base"
                        % (k + 1, n, i, m), None)
            if open_line:
                return ("diff.malformed",
                        "operation %d keeps lines after a line without LF" % (k + 1), None)
            out.extend(lines[i:i + n])
            i += n
            open_line = not out[-1].endswith(b"\n")
        elif op[0] == "-":
            n = op[1]
            if i + n > m:
                return ("diff.base.mismatch",
                        "operation %d deletes %d lines past line %d of a %d-line base"
                        % (k + 1, n, i, m), None)
            i += n
        else:
            if open_line:
                return ("diff.malformed",
                        "operation %d inserts after a line without LF" % (k + 1), None)
            for s in op[1:]:
                out.append(s.encode("utf-8"))
            open_line = not out[-1].endswith(b"\n")
    if i < m:
        return ("diff.base.mismatch",
                "the script ends after %d of the base's %d lines" % (i, m), None)
    return None, None, b"".join(out)


# ---------------------------------------------------------------------------
# Merkle tree (T§2)
# ---------------------------------------------------------------------------

def leaf_hash(line):
    return hashlib.sha256(b"\x00" + line).digest()


def node_hash(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def mth(leaves, lo=0, hi=None):
    """RFC 6962 MTH over leaf hashes leaves[lo:hi]."""
    if hi is None:
        hi = len(leaves)
    n = hi - lo
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return leaves[lo]
    k = 1
    while k * 2 < n:
        k *= 2
    return node_hash(mth(leaves, lo, lo + k), mth(leaves, lo + k, hi))


def verify_inclusion(index, size, leaf, proof, root):
    """RFC 9162 2.1.3.2, exactly."""
    if index >= size:
        return False
    fn, sn = index, size - 1
    r = leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


# ---------------------------------------------------------------------------
# Entries: envelope and body (L§6, L§11 step 4)
# ---------------------------------------------------------------------------

PAYLOAD_TYPE = b"application/vnd.colophon.entry.v1+json"
KNOWN_TYPES = ("genesis", "key", "revoke", "version", "release", "cosign")
ENVELOPE_MEMBERS = {"v", "seq", "prev", "type", "critical", "signer", "time", "body", "sig"}
ROLES = ("editor", "owner", "translator")
MAY_SIGN = {"key": {"owner"}, "revoke": {"owner"},
            "version": {"owner", "editor", "translator"},
            "cosign": {"owner", "editor", "translator"},
            "release": {"owner", "translator"}}
LINE_MAX = 64 * 1024 * 1024


def pae(payload_type, body):
    """L§4.1 (DSSE v1)."""
    return b"DSSEv1 %d %s %d %s" % (len(payload_type), payload_type, len(body), body)


class Entry:
    __slots__ = ("obj", "raw", "hash", "type", "body", "seq", "signer", "sig", "pub",
                 "extension", "committed")


def _body_members(body, required, optional):
    """Exactly the listed members, no null (L§6.1 Bodies). Returns a message or None."""
    for k in required:
        if k not in body:
            return "body lacks the member %r" % k
    for k, v in body.items():
        if k not in required and k not in optional:
            return "body has the unknown member %r" % k
        if v is None:
            return "body member %r is null" % k
    return None


def _check_public_key_field(v, what):
    """Returns (schema_msg, weak_msg, raw)."""
    raw = b64_canonical(v) if isinstance(v, str) else None
    if raw is None or len(raw) != 32:
        return "%s is not canonical base64 of 32 bytes" % what, None, None
    p = public_key_problem(raw)
    if p == "schema":
        return "%s is not a canonical encoding of a curve point" % what, None, None
    if p == "weak":
        return None, "%s is of small order" % what, raw
    return None, None, raw


def check_body(etype, body):
    """Body rules of L§6.2-6.7. Returns (code, message); code None when fine.
    Schema problems come before key.weak (L§11 step 4)."""
    weak = None
    if etype == "genesis":
        m = _body_members(body, ("origin", "name", "key"), ())
        if m:
            return "entry.schema.invalid", m
        if not is_origin(body["origin"]):
            return "entry.schema.invalid", "origin is not a valid origin"
        if not is_name(body["name"]):
            return "entry.schema.invalid", "name is not a valid name"
        sm, weak, _ = _check_public_key_field(body["key"], "key")
        if sm:
            return "entry.schema.invalid", sm
    elif etype == "key":
        m = _body_members(body, ("key", "name", "roles"), ())
        if m:
            return "entry.schema.invalid", m
        sm, weak, _ = _check_public_key_field(body["key"], "key")
        if sm:
            return "entry.schema.invalid", sm
        if not is_name(body["name"]):
            return "entry.schema.invalid", "name is not a valid name"
        roles = body["roles"]
        if not isinstance(roles, list) or not roles:
            return "entry.schema.invalid", "roles is not a non-empty array"
        if not all(isinstance(r, str) and r in ROLES for r in roles):
            return "entry.schema.invalid", "roles holds something other than editor/owner/translator"
        enc = [r.encode() for r in roles]
        if any(enc[j] >= enc[j + 1] for j in range(len(enc) - 1)):
            return "entry.schema.invalid", "roles are not sorted ascending without repeats"
    elif etype == "revoke":
        m = _body_members(body, ("key", "reason"), ("note",))
        if m:
            return "entry.schema.invalid", m
        if not is_keyid(body["key"]):
            return "entry.schema.invalid", "key is not a key id"
        if body["reason"] not in ("retired", "compromised") or not isinstance(body["reason"], str):
            return "entry.schema.invalid", "reason is not retired or compromised"
        if "note" in body and not is_note(body["note"]):
            return "entry.schema.invalid", "note is not a valid note"
    elif etype == "version":
        m = _body_members(body, ("work", "role", "lang", "media_type", "size", "sha256"),
                          ("norm", "parent", "of", "diff", "diff_sha256", "note"))
        if m:
            return "entry.schema.invalid", m
        if not is_work(body["work"]):
            return "entry.schema.invalid", "work is not a valid work id"
        if not isinstance(body["role"], str) or body["role"] not in ("original", "translation"):
            return "entry.schema.invalid", "role is not original or translation"
        if not is_lang(body["lang"]):
            return "entry.schema.invalid", "lang is not a well-formed BCP 47 tag in recommended case"
        if not is_media_type(body["media_type"]):
            return "entry.schema.invalid", "media_type is not a valid media type"
        if type(body["size"]) is not int:
            return "entry.schema.invalid", "size is not an integer"
        if not is_hash(body["sha256"]):
            return "entry.schema.invalid", "sha256 is not 64 lowercase hex digits"
        if "norm" in body:
            norm = body["norm"]
            if not isinstance(norm, dict) or not norm:
                return "entry.schema.invalid", "norm is not a non-empty object"
            for k, v in norm.items():
                if not _PROFILE_RE.match(k):
                    return "entry.schema.invalid", "norm member %r is not a profile id" % k
                if not is_hash(v):
                    return "entry.schema.invalid", "norm member %r is not a hash" % k
        if "parent" in body and not is_hash(body["parent"]):
            return "entry.schema.invalid", "parent is not a hash"
        if body["role"] == "translation" and "of" not in body:
            return "entry.schema.invalid", "a translation without of"
        if body["role"] == "original" and "of" in body:
            return "entry.schema.invalid", "an original with of"
        if "of" in body and not is_hash(body["of"]):
            return "entry.schema.invalid", "of is not a hash"
        if "diff" in body and not isinstance(body["diff"], list):
            return "entry.schema.invalid", "diff is not a JSON array"
        if "diff_sha256" in body and not is_hash(body["diff_sha256"]):
            return "entry.schema.invalid", "diff_sha256 is not a hash"
        if "diff" in body and "diff_sha256" in body:  # L§3.4
            return "entry.schema.invalid", "both diff and diff_sha256"
        if "note" in body and not is_note(body["note"]):
            return "entry.schema.invalid", "note is not a valid note"
    elif etype == "release":
        m = _body_members(body, ("work", "tag", "translation", "original", "lang"),
                          ("urls", "note"))
        if m:
            return "entry.schema.invalid", m
        if not is_work(body["work"]):
            return "entry.schema.invalid", "work is not a valid work id"
        if not is_tag(body["tag"]):
            return "entry.schema.invalid", "tag is not a valid tag"
        if not is_hash(body["translation"]):
            return "entry.schema.invalid", "translation is not a hash"
        if not is_hash(body["original"]):
            return "entry.schema.invalid", "original is not a hash"
        lang = body["lang"]
        if (not isinstance(lang, dict) or set(lang) != {"original", "translation"}
                or not is_lang(lang["original"]) or not is_lang(lang["translation"])):
            return "entry.schema.invalid", "lang is not {\"original\": lang, \"translation\": lang}"
        if "urls" in body:
            urls = body["urls"]
            if not isinstance(urls, list) or not 1 <= len(urls) <= 16 or not all(
                    is_url(u) for u in urls):
                return "entry.schema.invalid", "urls is not an array of 1-16 URLs"
        if "note" in body and not is_note(body["note"]):
            return "entry.schema.invalid", "note is not a valid note"
    elif etype == "cosign":
        m = _body_members(body, ("release",), ("note",))
        if m:
            return "entry.schema.invalid", m
        if not is_hash(body["release"]):
            return "entry.schema.invalid", "release is not a hash"
        if "note" in body and not is_note(body["note"]):
            return "entry.schema.invalid", "note is not a valid note"
    else:
        pass  # extension: only "body is an object", checked by the caller
    if weak:
        return "key.weak", weak
    return None, None


def check_envelope(obj, raw):
    """L§11 step 4 on a parsed object. Returns (code, message, Entry)."""
    if "v" not in obj:
        return "entry.version.unsupported", "the member v is absent", None
    if type(obj["v"]) is not int or obj["v"] != 1:
        return "entry.version.unsupported", "v is %s, not 1" % canonical(obj["v"]).decode(), None
    for k in obj:
        if k not in ENVELOPE_MEMBERS:
            return "entry.schema.invalid", "unknown envelope member %r" % k, None
    for k in ("seq", "type", "signer", "time", "body", "sig"):
        if k not in obj:
            return "entry.schema.invalid", "the envelope lacks %r" % k, None
    if type(obj["seq"]) is not int:
        return "entry.schema.invalid", "seq is not an integer", None
    if "prev" in obj and not is_hash(obj["prev"]):
        return "entry.schema.invalid", "prev is not 64 lowercase hex digits", None
    if not isinstance(obj["type"], str):
        return "entry.schema.invalid", "type is not a string", None
    if "critical" in obj and obj["critical"] is not False:
        return "entry.schema.invalid", "critical is present with a value other than false", None
    if not is_keyid(obj["signer"]):
        return "entry.schema.invalid", "signer is not 32 lowercase hex digits", None
    if not isinstance(obj["time"], str):
        return "entry.schema.invalid", "time is not a string", None
    if not isinstance(obj["body"], dict):
        return "entry.schema.invalid", "body is not an object", None
    sig = b64_canonical(obj["sig"]) if isinstance(obj["sig"], str) else None
    if sig is None or len(sig) != 64:
        return "entry.schema.invalid", "sig is not canonical base64 of 64 bytes", None
    # L§6.1, L§6.8: the type's name (of every type, with or without critical) and critical (only
    # on an extension type) are envelope schema, checked before time
    etype = obj["type"]
    if not _TYPE_NAME_RE.match(etype):
        return "entry.schema.invalid", "type %r is not a type name" % etype, None
    if etype in KNOWN_TYPES and "critical" in obj:
        return "entry.schema.invalid", "critical on the defined type %r" % etype, None
    tp = time_problem(obj["time"])
    if tp:
        return "entry.time.invalid", "time %r: %s" % (obj["time"], tp), None
    extension = etype not in KNOWN_TYPES
    if extension and obj.get("critical") is not False:
        return ("entry.type.unknown",
                "unknown type %r without \"critical\": false" % etype, None)
    code, msg = check_body(etype, obj["body"])
    if code:
        return code, msg, None
    e = Entry()
    e.obj = obj
    e.raw = raw
    c = committed_object(obj)
    e.committed = raw if c is obj else canonical(c)
    e.hash = hashlib.sha256(e.committed).hexdigest()
    e.type = etype
    e.body = obj["body"]
    e.seq = obj["seq"]
    e.signer = obj["signer"]
    e.sig = sig
    e.extension = extension
    e.pub = None
    return None, None, e


def signed_body(obj):
    """L§4.2: the canonical serialization of the committed form (L§3.4) without `sig`."""
    return canonical({k: v for k, v in committed_object(obj).items() if k != "sig"})


def committed_object(obj):
    """L§3.4 on a parsed line that passed L§2.3: a `version` entry whose body has `diff` (and no
    `diff_sha256`) with `diff` replaced by `diff_sha256`, the SHA-256 of the script's canonical
    serialization; any other object as it is."""
    body = obj.get("body")
    if (obj.get("type") == "version" and isinstance(body, dict) and "diff" in body
            and "diff_sha256" not in body):
        b = {k: v for k, v in body.items() if k != "diff"}
        b["diff_sha256"] = hashlib.sha256(canonical(body["diff"])).hexdigest()
        c = dict(obj)
        c["body"] = b
        return c
    return obj


def committed_form(raw):
    """L§3.4: the bytes entry hash, leaf hash and signature are over."""
    code, _, value = check_line(raw)
    if code:
        return raw
    c = committed_object(value)
    return raw if c is value else canonical(c)


# ---------------------------------------------------------------------------
# State (L§6, L§11 steps 6-8, 10)
# ---------------------------------------------------------------------------

class KeyInfo:
    __slots__ = ("pub", "roles", "pos", "revoked_pos", "reason", "name")

    def __init__(self, pub, roles, pos, name):
        self.pub, self.roles, self.pos, self.name = pub, roles, pos, name
        self.revoked_pos = None
        self.reason = None


class State:
    def __init__(self):
        self.nonempty = False
        self.origin = None
        self.keys = {}            # key id -> KeyInfo
        self.versions = {}        # entry hash -> body (plus _pos)
        self.latest = {}          # (work, lang) -> entry hash
        self.role_of = {}         # (work, lang) -> role
        self.original_lang = {}   # work -> lang of its originals
        self.content = {}         # version entry hash -> bytes, or None if not reconstructible
        self.releases = {}        # entry hash -> (signer, work, tag)
        self.tags = set()         # (work, tag)
        self.cosigns = set()      # (release hash, signer)

    def owners_in_effect(self):
        return [k.pub for k in self.keys.values() if "owner" in k.roles and k.revoked_pos is None]

    # -- steps 6-7 -------------------------------------------------------
    def signer_and_signature(self, e, pos):
        """L§11 steps 6 and 7. Returns (code, message)."""
        if not self.nonempty:
            if e.type != "genesis":
                return "genesis.missing", "no genesis entry has entered the state; this is %r" % e.type
            pub = b64_canonical(e.body["key"])
            if e.signer != key_id(pub):
                return ("genesis.signer", "signer %s is not the key id %s of the genesis key"
                        % (e.signer, key_id(pub)))
            e.pub = pub
        else:
            if e.type == "genesis":
                return "genesis.duplicate", "a second genesis entry"
            k = self.keys.get(e.signer)
            if k is None or not k.pos < pos:
                return "entry.signer.unknown", "signer %s is not a registered key" % e.signer
            if k.revoked_pos is not None and k.revoked_pos < pos:
                return ("entry.signer.revoked", "signer %s was revoked (%s) at line %d"
                        % (e.signer, k.reason, k.revoked_pos + 1))
            if not e.extension and not (k.roles & MAY_SIGN[e.type]):
                return ("entry.signer.unauthorized", "signer %s (%s) may not sign %s"
                        % (e.signer, ",".join(sorted(k.roles)), e.type))
            e.pub = k.pub
        ok, why = ed_verify_strict(e.pub, pae(PAYLOAD_TYPE, signed_body(e.obj)), e.sig)
        if not ok:
            return "entry.signature.invalid", why
        return None, None

    # -- step 8 ------------------------------------------------------------
    def state_rules(self, e, pos):
        b = e.body
        t = e.type
        if t == "key":
            kid = key_id(b64_canonical(b["key"]))
            if kid in self.keys:
                return "key.duplicate", "key %s is already registered" % kid
        elif t == "revoke":
            k = self.keys.get(b["key"])
            if k is None:
                return "revoke.unknown_key", "key %s is not registered" % b["key"]
            if k.revoked_pos is not None:
                return "revoke.duplicate", "key %s was already revoked" % b["key"]
            if "owner" in k.roles:
                others = [kid for kid, o in self.keys.items()
                          if kid != b["key"] and "owner" in o.roles and o.revoked_pos is None]
                if not others:
                    return "revoke.last_owner", "key %s is the last active owner" % b["key"]
        elif t == "version":
            wl = (b["work"], b["lang"])
            latest = self.latest.get(wl)
            if latest is None:
                if "parent" in b:
                    return ("version.parent.mismatch",
                            "parent given but %s has no earlier version in %s" % wl)
            elif b.get("parent") != latest:
                return ("version.parent.mismatch", "parent is not the latest version %s of %s in %s"
                        % ((latest,) + wl))
            if wl in self.role_of and self.role_of[wl] != b["role"]:
                return ("version.role.mismatch", "earlier versions of %s in %s are %s"
                        % (wl + (self.role_of[wl],)))
            if b["role"] == "original":
                ol = self.original_lang.get(b["work"])
                if ol is not None and ol != b["lang"]:
                    return ("version.role.mismatch", "the originals of %s are in %s"
                            % (b["work"], ol))
            if b["role"] == "translation":
                o = self.versions.get(b["of"])
                if (o is None or o["role"] != "original" or o["work"] != b["work"]
                        or o["lang"] == b["lang"]):
                    return ("version.of.invalid",
                            "of does not name an original version of %s in another language"
                            % b["work"])
            # §6.5 rule 4: a translation whose `of` differs from its parent's is a re-pairing,
            # which may keep the parent's sha256.
            if (latest is not None and self.versions[latest]["sha256"] == b["sha256"]
                    and self.versions[latest].get("of") == b.get("of")):
                return "version.unchanged", "sha256 and of equal the parent's"
        elif t == "release":
            tr = self.versions.get(b["translation"])
            og = self.versions.get(b["original"])
            if (tr is None or og is None or tr["work"] != b["work"] or og["work"] != b["work"]
                    or tr["role"] != "translation" or og["role"] != "original"
                    or tr["lang"] != b["lang"]["translation"] or og["lang"] != b["lang"]["original"]
                    or tr.get("of") != b["original"]):
                return ("release.ref.invalid",
                        "translation/original are not versions of %s with these roles, "
                        "languages and pairing" % b["work"])
            if (b["work"], b["tag"]) in self.tags:
                return "release.tag.duplicate", "tag %s is already used in %s" % (b["tag"], b["work"])
        elif t == "cosign":
            r = self.releases.get(b["release"])
            if r is None:
                return "cosign.ref.invalid", "release %s is not a release in the state" % b["release"]
            if e.signer == r[0]:
                return "cosign.duplicate", "the release's own signer cosigns it"
            if (b["release"], e.signer) in self.cosigns:
                return "cosign.duplicate", "signer %s already cosigned this release" % e.signer
        return None, None

    # -- step 10 -----------------------------------------------------------
    def content_check(self, e):
        """Returns (code, message, output or None, norm_skipped)."""
        b = e.body
        if "diff_sha256" in b:  # L§3.4, L§11 step 10: a ledger keeps every script
            return "diff.withheld", "the line carries diff_sha256, not its script", None, False
        if "diff" not in b:
            return None, None, None, False
        base = b""
        if "parent" in b:
            pc = self.content.get(b["parent"])
            if pc is not None:
                base = pc
        code, msg, out = apply_script(b["diff"], base)
        if code:
            return code, msg, None, False
        return content_facts(out, b)


    # -- step 11 -----------------------------------------------------------
    def admit(self, e, pos):
        b = e.body
        t = e.type
        self.nonempty = True
        if t == "genesis":
            self.origin = b["origin"]
            self.keys[e.signer] = KeyInfo(e.pub, frozenset(["owner"]), pos, b["name"])
        elif t == "key":
            pub = b64_canonical(b["key"])
            self.keys[key_id(pub)] = KeyInfo(pub, frozenset(b["roles"]), pos, b["name"])
        elif t == "revoke":
            k = self.keys[b["key"]]
            k.revoked_pos = pos
            k.reason = b["reason"]
        elif t == "version":
            wl = (b["work"], b["lang"])
            v = dict(b)
            v["_pos"] = pos
            self.versions[e.hash] = v
            self.latest[wl] = e.hash
            self.role_of[wl] = b["role"]
            if b["role"] == "original":
                self.original_lang[b["work"]] = b["lang"]
        elif t == "release":
            self.releases[e.hash] = (e.signer, b["work"], b["tag"])
            self.tags.add((b["work"], b["tag"]))
        elif t == "cosign":
            self.cosigns.add((b["release"], e.signer))


def content_facts(out, b):
    """L§6.5 content rules: bytes `out` against a version body's size, sha256 and norm.
    Returns (code, message, output or None, norm_skipped)."""
    if len(out) != b["size"]:
        return ("content.size.mismatch", "rebuilt content has %d bytes, size says %d"
                % (len(out), b["size"]), None, False)
    if hashlib.sha256(out).hexdigest() != b["sha256"]:
        return "content.hash.mismatch", "rebuilt content has another SHA-256", None, False
    norm = b.get("norm")
    if norm is None:
        return "content.norm.mismatch", "norm is missing for a version with a diff", None, False
    if "text/v1" not in norm:
        return "content.norm.mismatch", "norm lacks text/v1", None, False
    if "words/v2" not in norm and "words/v1" not in norm:
        return "content.norm.mismatch", "norm lacks words/v2 and words/v1", None, False
    if not UNICODE_OK:
        return None, None, out, True
    text = out.decode("utf-8")
    for pid in sorted(norm):
        f = PROFILES.get(pid)
        if f is None:
            continue
        h = hashlib.sha256(f(text).encode("utf-8")).hexdigest()
        if h != norm[pid]:
            return ("content.norm.mismatch", "the %s hash differs%s" % (pid, unassigned_note(text)),
                    None, False)
    return None, None, out, False


# ---------------------------------------------------------------------------
# Audit (L§11)
# ---------------------------------------------------------------------------

class AuditResult:
    def __init__(self):
        self.problems = []      # (line number or None, code, message)
        self.lines = 0          # complete lines
        self.bad_lines = set()
        self.leaves = []
        self.state = State()
        self.norm_skipped = 0
        self.root_known = True  # False after a line over 64 MiB, which is not hashed (L§11 step 2)

    @property
    def valid_lines(self):
        return self.lines - len(self.bad_lines)

    @property
    def root(self):
        """The Merkle root of all complete lines, or None when a line over 64 MiB was not hashed
        (L§11 step 2: the root is then unknown)."""
        return mth(self.leaves) if self.root_known else None

    def add(self, lineno, code, msg):
        self.problems.append((lineno, code, msg))
        if lineno is not None and lineno <= self.lines:
            self.bad_lines.add(lineno)


def audit_bytes(data, max_lines=None):
    """Audit a whole ledger given as bytes (L§11). max_lines limits the audit to a prefix."""
    res = AuditResult()
    if len(data) == 0:
        res.add(None, "ledger.empty", "the file is empty")
        return res
    parts = data.split(b"\n")
    complete, tail = parts[:-1], parts[-1]
    if max_lines is not None:
        complete, tail = complete[:max_lines], b""
    st = res.state
    prev_hash = None      # hex of the previous line, "?" after a too-long line
    prev_seq = None
    for pos, raw in enumerate(complete):
        lineno = pos + 1
        res.lines = lineno
        expected_seq = 0 if pos == 0 else prev_seq + 1
        # step 2: the long line is not hashed; the next line's prev mismatches whatever it holds
        # (L§7.2), and the Merkle root is unknown
        if len(raw) > LINE_MAX:
            res.add(lineno, "line.too_long", "line is %d bytes, over 64 MiB" % len(raw))
            prev_hash, prev_seq = None, expected_seq
            res.root_known = False
            continue
        committed = committed_form(raw)  # L§3.4
        res.leaves.append(leaf_hash(committed))
        this_hash = hashlib.sha256(committed).hexdigest()
        # step 3
        code, msg, obj = check_line(raw)
        e = None
        if not code:
            code, msg, e = check_envelope(obj, raw)  # step 4
        if code:
            res.add(lineno, code, msg)
            prev_hash, prev_seq = this_hash, expected_seq
            continue
        # step 5
        if e.seq != expected_seq:
            res.add(lineno, "entry.seq.mismatch", "seq is %d, expected %d" % (e.seq, expected_seq))
        if pos == 0:
            if "prev" in e.obj:
                res.add(lineno, "entry.prev.mismatch", "prev is present on the first line")
        elif "prev" not in e.obj:
            res.add(lineno, "entry.prev.mismatch", "prev is absent")
        elif prev_hash is None:
            res.add(lineno, "entry.prev.mismatch",
                    "line %d is over 64 MiB and was not hashed: no prev matches it" % pos)
        elif e.obj["prev"] != prev_hash:
            res.add(lineno, "entry.prev.mismatch", "prev is not the hash of line %d" % pos)
        prev_hash, prev_seq = this_hash, e.seq
        # steps 6-9
        code, msg = st.signer_and_signature(e, pos)
        if not code:
            code, msg = st.state_rules(e, pos)
        if code:
            res.add(lineno, code, msg)
            continue
        # step 10
        if e.type == "version":
            code, msg, out, skipped = st.content_check(e)
            if skipped:
                res.norm_skipped += 1
            if code:
                res.add(lineno, code, msg)
            st.content[e.hash] = out
        # step 11
        st.admit(e, pos)
    if tail:
        res.add(len(complete) + 1, "line.torn",
                "%d bytes after the last LF (an interrupted append)" % len(tail))
    return res


# ---------------------------------------------------------------------------
# Key lines (L§5.3)
# ---------------------------------------------------------------------------

def parse_key_line(line):
    """One line of a public key file or keyring (str, without LF).
    Returns ('blank'|'comment'|'key', info) or ('bad', message)."""
    wchars = "".join(W_SET)
    line = line.rstrip(wchars)
    if line == "":
        return "blank", None
    if line.lstrip(wchars).startswith("#"):
        return "comment", None
    if line.startswith("ssh-ed25519"):
        return parse_openssh_line(line)
    if not line.startswith("ed25519 "):
        return "bad", "not a key line: it does not start with 'ed25519 '"
    parts = line.split(" ", 3)
    if len(parts) != 4:
        return "bad", "a key line has four fields: ed25519, key id, key, name"
    _, kid, b64, name = parts
    if not is_keyid(kid):
        return "bad", "the key id is not 32 lowercase hex digits"
    raw = b64_canonical(b64)
    if raw is None or len(raw) != 32:
        return "bad", "the key is not canonical base64 of 32 bytes"
    p = public_key_problem(raw)
    if p:
        return "bad", "the key is %s" % ("of small order" if p == "weak" else
                                         "not a canonical curve point")
    if key_id(raw) != kid:
        return "bad", "the key id is not the id of the key (%s)" % key_id(raw)
    if not is_name(name):
        return "bad", "the name is not valid"
    return "key", (kid, raw, name)


def _openssh_key(b64):
    """L§5.3: the RFC 8709 blob of an ssh-ed25519 key, canonical base64, nothing after the key.
    Returns (raw 32-byte key, None) or (None, message)."""
    blob = b64_canonical(b64)
    if blob is None:
        return None, "the OpenSSH key blob is not canonical base64"
    want = b"\x00\x00\x00\x0bssh-ed25519\x00\x00\x00\x20"
    if not blob.startswith(want) or len(blob) != len(want) + 32:
        return None, "the blob is not exactly an ssh-ed25519 key (RFC 8709 section 4)"
    raw = blob[len(want):]
    p = public_key_problem(raw)
    if p:
        return None, "the key is %s" % ("of small order" if p == "weak" else "not a canonical curve point")
    return raw, None


def parse_openssh_line(line):
    """L§5.3 OpenSSH key line: ssh-ed25519, spaces or tabs, the blob, optionally a comment."""
    m = re.match(r"ssh-ed25519[ \t]+([^ \t]+)(?:[ \t]+(.*))?$", line, re.S)
    if not m:
        return "bad", "not an OpenSSH key line"
    raw, err = _openssh_key(m.group(1))
    if err:
        return "bad", err
    comment = m.group(2) or ""
    name = comment if is_name(comment) else "ssh-ed25519 key"
    return "key", (key_id(raw), raw, name)


def _split_unquoted(line, seps):
    out, cur, quoted = [], None, False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        if not quoted and ch in seps:
            if cur is not None:
                out.append(cur)
                cur = None
        else:
            cur = (cur or "") + ch
    if cur is not None:
        out.append(cur)
    return out


def _is_ssh_key_type(t):
    return t.startswith("ssh-") or t.startswith("ecdsa-sha2-") or t.startswith("sk-")


def parse_allowed_signers_line(line):
    """L§10.1 allowed-signers line. Returns None (not one), ('bad', msg), ('ignored', why) or
    ('key', (kid, raw, name))."""
    f = _split_unquoted(line, " \t")
    at = next((i for i in (1, 2) if i < len(f) and _is_ssh_key_type(f[i])), None)
    if at is None:
        return None
    principals, options, keytype = f[0], (f[1] if at == 2 else ""), f[at]
    if at + 1 >= len(f):
        return "bad", "allowed_signers line without a key"
    why = None
    for opt in _split_unquoted(options, ","):
        name, _, value = opt.partition("=")
        name = name.lower()
        if name == "cert-authority":
            why = "cert-authority"
        elif name in ("valid-after", "valid-before"):
            why = name
        elif name == "namespaces":
            if "colophon" not in value.strip('"').split(","):
                why = "namespaces without colophon"
        else:
            return "bad", "unknown allowed_signers option %r" % opt
    if why:
        return "ignored", why
    if keytype != "ssh-ed25519":
        return "ignored", "a %s key" % keytype
    raw, err = _openssh_key(f[at + 1])
    if err:
        return "bad", err
    kid = key_id(raw)
    return "key", (kid, raw, principals if is_name(principals) else "ssh-ed25519 key")


def read_keyring(data):
    """L§10.1: returns (list of (kid, pub, name), None) or (None, message)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None, "not UTF-8"
    keys = {}
    ignored = []
    for n, line in enumerate(text.split("\n"), 1):
        if line.startswith("{") or "colophon-secret-key" in line:
            return None, "line %d looks like a secret key file: secret keys never belong in a keyring" % n
        kind, info = parse_key_line(line)
        if kind == "bad" and not line.startswith("ed25519") and not line.startswith("ssh-ed25519"):
            a = parse_allowed_signers_line(line.rstrip("".join(W_SET)))
            if a is not None:
                kind, info = a
        if kind == "bad":
            return None, "line %d: %s" % (n, info)
        if kind == "ignored":
            ignored.append((n, info))
        if kind == "key":
            keys.setdefault(info[0], info)
    if not keys:
        return None, "no key line"
    return list(keys.values()), None


# ---------------------------------------------------------------------------
# Signed notes, checkpoints, proofs (T§3, T§5)
# ---------------------------------------------------------------------------

class Reject(Exception):
    def __init__(self, code, msg, entry=None):
        Exception.__init__(self, "%s: %s" % (code, msg))
        self.code, self.msg, self.entry = code, msg, entry


def parse_signed_note(msg):
    """T§3.2 items 1-2. Returns (text_bytes, [(name, keyid4, sig)])."""
    if len(msg) > 1024 * 1024:
        raise Reject("checkpoint.malformed", "note larger than 1 MiB")
    try:
        s = msg.decode("utf-8")
    except UnicodeDecodeError:
        raise Reject("checkpoint.malformed", "note is not UTF-8")
    for c in s:
        if ord(c) < 0x20 and c != "\n":
            raise Reject("checkpoint.malformed", "control character U+%04X in note" % ord(c))
    split = msg.rfind(b"\n\n")
    if split < 0:
        raise Reject("checkpoint.malformed", "no blank line before the signatures")
    text, sigs = msg[:split + 1], msg[split + 2:]
    if not sigs or not sigs.endswith(b"\n"):
        raise Reject("checkpoint.malformed", "no signature lines, or the last lacks LF")
    out = []
    for line in sigs[:-1].split(b"\n"):
        ls = line.decode("utf-8")
        if not ls.startswith("\u2014 "):
            raise Reject("checkpoint.malformed", "signature line does not start with an em dash")
        rest = ls[2:]
        name, sep, b64 = rest.partition(" ")
        if (not name or "+" in name or any(c in W_SET for c in name)):
            raise Reject("checkpoint.malformed", "invalid key name %r" % name)
        raw = b64_canonical(b64)
        if raw is None or len(raw) < 5:
            raise Reject("checkpoint.malformed", "signature is not canonical base64 of >= 5 bytes")
        out.append((name, raw[:4], raw[4:]))
    if len(out) > 100:
        raise Reject("checkpoint.malformed", "more than 100 signature lines")
    return text, out


def parse_checkpoint_text(text, colophon_rules=True):
    """T§3.2 item 3. Returns (origin, size, root)."""
    s = text.decode("utf-8")
    lines = s.split("\n")
    if lines[-1] != "":
        raise Reject("checkpoint.malformed", "note text does not end with LF")
    lines = lines[:-1]
    if len(lines) < 3 or (colophon_rules and len(lines) != 3):
        raise Reject("checkpoint.malformed", "checkpoint text is not exactly three lines")
    if any(line == "" for line in lines):
        raise Reject("checkpoint.malformed", "empty line in checkpoint text")
    origin, size_s, root_s = lines[:3]
    if not _PLAIN_RE.match(size_s) or int(size_s) > MAX_U64:
        raise Reject("checkpoint.malformed", "size %r is not decimal in range" % size_s)
    size = int(size_s)
    if colophon_rules and size == 0:
        raise Reject("checkpoint.malformed", "size 0")
    root = b64_canonical(root_s)
    if root is None or len(root) != 32:
        raise Reject("checkpoint.malformed", "root is not canonical base64 of 32 bytes")
    return origin, size, root


def note_key_id(name, pub):
    return hashlib.sha256(name.encode("utf-8") + b"\n\x01" + pub).digest()[:4]


def verify_checkpoint(note, origin, owner_keys_at, leaves=None):
    """T§3.2 in order. origin: the ledger's origin (None: not known, item 4 skipped).
    owner_keys_at(size) -> list of public keys. leaves: the ledger's leaf hashes, if held.
    Returns (origin, size, root, text); raises Reject."""
    text, sigs = parse_signed_note(note)
    c_origin, size, root = parse_checkpoint_text(text)
    if origin is not None and c_origin != origin:
        raise Reject("checkpoint.origin", "checkpoint origin %r is not %r" % (c_origin, origin))
    vset = {}
    for pub in owner_keys_at(size):
        vset[(c_origin, note_key_id(c_origin, pub))] = pub
    seen = set()
    owner_ok = False
    for n, (name, kid, sig) in enumerate(sigs, 1):
        pub = vset.get((name, kid))
        if pub is None:
            continue
        ok, why = ed_verify_strict(pub, text, sig)
        if not ok:
            raise Reject("checkpoint.signature", "signature line %d does not verify: %s" % (n, why))
        if (name, kid) in seen:
            raise Reject("checkpoint.signature", "signature line %d: a second signature by one key" % n)
        seen.add((name, kid))
        owner_ok = True
    if not owner_ok:
        raise Reject("checkpoint.signature", "no owner key in effect at size %d signed" % size)
    if leaves is not None:
        if len(leaves) < size or mth(leaves, 0, size) != root:
            raise Reject("checkpoint.inconsistent",
                         "root differs from the tree hash of the ledger's first %d lines" % size)
    return c_origin, size, root, text


_INDEX_RE = re.compile(r"index (0|[1-9][0-9]*)\Z")


def parse_proof_file(data):
    """T§5 item 1 (form). Returns (extra bytes or None, index, hashes, note bytes, size)."""
    split = data.find(b"\n\n")
    if split < 0:
        raise Reject("checkpoint.malformed", "no empty line before the checkpoint")
    head, note = data[:split + 1], data[split + 2:]
    try:
        lines = head.decode("utf-8").split("\n")[:-1]
    except UnicodeDecodeError:
        raise Reject("checkpoint.malformed", "proof header is not UTF-8")
    if not lines or lines[0] != "c2sp.org/tlog-proof@v1":
        raise Reject("checkpoint.malformed", "first line is not c2sp.org/tlog-proof@v1")
    i = 1
    extra = None
    if i < len(lines) and lines[i].startswith("extra "):
        b64 = lines[i][6:]
        extra = b64_canonical(b64)
        if extra is None or len(b64) > 65536:
            raise Reject("checkpoint.malformed", "extra is not canonical base64 of <= 65,536 chars")
        i += 1
    if i >= len(lines):
        raise Reject("checkpoint.malformed", "no index line")
    m = _INDEX_RE.match(lines[i])
    if not m or int(m.group(1)) > MAX_U64:
        raise Reject("checkpoint.malformed", "bad index line")
    index = int(m.group(1))
    hashes = []
    for line in lines[i + 1:]:
        h = b64_canonical(line)
        if h is None or len(h) != 32:
            raise Reject("checkpoint.malformed", "hash line %r is not base64 of 32 bytes" % line[:20])
        hashes.append(h)
    if len(hashes) > 64:
        raise Reject("checkpoint.malformed", "more than 64 hashes")
    text, _ = parse_signed_note(note)
    _, size, _ = parse_checkpoint_text(text, colophon_rules=False)
    if index >= size:
        raise Reject("checkpoint.malformed", "index %d is not below size %d" % (index, size))
    return extra, index, hashes, note, size


def check_proof(data, line, keyring_keys, origin=None):
    """T§5 checks 1-4. line: the ledger line L (None: use extra). Raises Reject."""
    extra, index, hashes, note, _ = parse_proof_file(data)
    if line is None:
        line = extra
    if line is None:
        raise Reject("checkpoint.malformed", "no line given and no extra line")
    _, size, root, _ = verify_checkpoint(note, origin, lambda size: keyring_keys)
    # item 3: L passes L§11 steps 3 and 4, and index is its seq
    code, msg, obj = check_line(line)
    if code is None:
        code, msg, e = check_envelope(obj, line)
    if code is not None:
        raise Reject("proof.inclusion", "the line is not an entry (%s: %s)" % (code, msg))
    if e.seq != index:
        raise Reject("proof.inclusion", "index %d is not the seq (%d) of the line" % (index, e.seq))
    if not verify_inclusion(index, size, leaf_hash(committed_form(line)), hashes, root):
        raise Reject("proof.inclusion", "the audit path does not verify")
    return index, size


# ---------------------------------------------------------------------------
# Bundles (V§3.3, T§6)
# ---------------------------------------------------------------------------

BUNDLE_MEMBERS = ("format", "origin", "release", "entries", "checkpoint", "proofs", "texts")


def bundle_wrapper_problem(obj, names, texts_names=()):
    """V§3.3, the wrapper check made before any entry (every failure is bundle.invalid).
    names: the member names as written. Returns a message or None."""
    if not isinstance(obj, dict):
        return "the bundle is not a JSON object"
    for m in BUNDLE_MEMBERS:
        if names.count(m) > 1:
            return "the member %r appears %d times" % (m, names.count(m))
    if obj.get("format") != "colophon-bundle-v1":
        return "format is not \"colophon-bundle-v1\""
    if not isinstance(obj.get("origin"), str):
        return "origin is not a string"
    if not is_hash(obj.get("release")):
        return "release is not a hash"
    if not isinstance(obj.get("entries"), list) or not all(isinstance(x, str) for x in obj["entries"]):
        return "entries is not an array of strings"
    if "checkpoint" in obj and not isinstance(obj["checkpoint"], str):
        return "checkpoint is present and not a string"
    if "proofs" in obj and (not isinstance(obj["proofs"], list)
                            or not all(isinstance(p, str) for p in obj["proofs"])):
        return "proofs is present and not an array of strings"
    if "checkpoint" in obj and ("proofs" not in obj or len(obj["proofs"]) != len(obj["entries"])):
        return "with a checkpoint, proofs must hold one proof per entry"
    if "texts" in obj:
        t = obj["texts"]
        if not isinstance(t, dict) or not all(isinstance(x, str) for x in t.values()):
            return "texts is present and not an object of strings"
        if len(texts_names) != len(set(texts_names)):
            return "a member name of texts appears twice"
    return None


def open_bundle(data, accept_unanchored=False):
    """V§3.3. Raises Reject (with .entry for per-entry checks); returns the State."""
    names, texts_names = [], []
    try:
        obj = json_parse(data.decode("utf-8"), top_names=names, texts_names=texts_names)
    except (UnicodeDecodeError, JSONError) as ex:
        raise Reject("bundle.invalid", "not a JSON text: %s" % ex)
    p = bundle_wrapper_problem(obj, names, texts_names)
    if p:
        raise Reject("bundle.invalid", p)
    st = State()
    last_seq = None
    hashes = {}  # entry hash -> type
    entries = []
    for n, line in enumerate(obj["entries"], 1):
        raw = line.encode("utf-8")
        code, msg, lo = check_line(raw)  # check 1
        e = None
        if not code:
            code, msg, e = check_envelope(lo, raw)
        if code:
            raise Reject(code, msg, n)
        if n == 1 and (e.type != "genesis" or e.seq != 0
                       or e.body.get("origin") != obj["origin"]):  # check 2
            raise Reject("bundle.invalid", "the first entry is not the genesis of this origin", n)
        if last_seq is not None and not e.seq > last_seq:  # check 3
            raise Reject("bundle.invalid", "seq %d does not increase" % e.seq, n)
        last_seq = e.seq
        code, msg = st.signer_and_signature(e, e.seq)  # check 4
        if code:
            raise Reject(code, msg, n)
        if e.type in ("key", "revoke", "release", "cosign"):  # check 5
            code, msg = st.state_rules(e, e.seq)
            if code:
                raise Reject(code, msg, n)
        if e.type == "version" and "parent" in e.body and e.body["parent"] not in hashes:  # 7
            raise Reject("bundle.invalid", "parent is not an earlier entry of the bundle", n)
        st.admit(e, e.seq)
        hashes[e.hash] = e.type
        entries.append(e)
    if hashes.get(obj["release"]) != "release":  # check 6
        raise Reject("bundle.invalid", "the release is not a release entry among the entries")
    # check 8 (T§6); proofs without a checkpoint anchor nothing
    if "checkpoint" not in obj:
        if accept_unanchored:
            check_bundle_texts(obj, entries)
            return st
        raise Reject("bundle.unanchored", "the bundle carries no checkpoint")
    proofs = obj["proofs"]  # one per entry, as the wrapper check made sure
    cpb = obj["checkpoint"].encode("utf-8")

    def owners_at(size):
        keys = {}
        for e in entries:
            if e.seq >= size:
                break
            if e.type == "genesis":
                keys[e.signer] = [b64_canonical(e.body["key"]), True]
            elif e.type == "key" and "owner" in e.body["roles"]:
                pub = b64_canonical(e.body["key"])
                keys[key_id(pub)] = [pub, True]
            elif e.type == "revoke" and e.body["key"] in keys:
                keys[e.body["key"]][1] = False
        return [p for p, live in keys.values() if live]

    _, size, root, _ = verify_checkpoint(cpb, obj["origin"], owners_at)
    for n, (e, p) in enumerate(zip(entries, proofs), 1):
        try:
            _, index, hs, note, _ = parse_proof_file(p.encode("utf-8"))
        except Reject as r:
            raise Reject(r.code, r.msg, n)
        if note != cpb:
            raise Reject("proof.inclusion", "the proof's checkpoint is not the bundle's", n)
        if index != e.seq:
            raise Reject("proof.inclusion", "index %d is not seq %d" % (index, e.seq), n)
        if not verify_inclusion(index, size, leaf_hash(e.committed), hs, root):
            raise Reject("proof.inclusion", "the audit path does not verify", n)
    check_bundle_texts(obj, entries)
    return st


def check_bundle_texts(obj, entries):
    """V§3.3 check 9, member by member in name order: each names a version entry of the bundle,
    and its UTF-8 bytes pass the content rules of L§6.5 against that entry."""
    by_hash = {e.hash: (n, e) for n, e in enumerate(entries, 1)}
    texts = obj.get("texts", {})
    for name in sorted(texts):
        found = by_hash.get(name)
        if found is None or found[1].type != "version":
            raise Reject("bundle.invalid", "texts names %r, not a version entry of the bundle" % name[:64])
        n, e = found
        code, msg, _, _ = content_facts(texts[name].encode("utf-8"), e.body)
        if code:
            raise Reject(code, "the text for entry %d: %s" % (n, msg), n)


# ---------------------------------------------------------------------------
# Test vectors (spec/vectors/README.md)
# ---------------------------------------------------------------------------

FIXED_SEEDS = {
    "owner": "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
    "translator": "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
    "editor": "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
}


class BadVector(Exception):
    pass


FULL_LISTS = []  # (vector, the checker's problems, valid lines) for every invalid ledger vector
PARTIAL = []  # vectors compared with their normalized hashes unchecked (no Unicode 15.1 data)


class Skip(Exception):
    pass


def read_vector(path, with_body):
    """Header lines `key: value` (split at the first ': ', LF only); with_body: a blank line, then
    the raw bytes to the end of the file. Returns (headers: dict str->bytes, body bytes or None)."""
    with open(path, "rb") as f:
        data = f.read()
    headers = {}
    i = 0
    body = None
    while i < len(data):
        j = data.find(b"\n", i)
        if j < 0:
            raise BadVector("header line without LF at the end of the file")
        line = data[i:j]
        i = j + 1
        if line == b"":
            if not with_body:
                raise BadVector("unexpected blank line")
            body = data[i:]
            break
        k = line.find(b": ")
        if k < 0:
            raise BadVector("header line without ': ': %r" % line[:60])
        key = line[:k].decode("utf-8")
        if key in headers:
            raise BadVector("header %r repeated" % key)
        headers[key] = line[k + 2:]
    if with_body and body is None:
        raise BadVector("no blank line before the body")
    return headers, body


def _h(headers, key, required=True):
    if key not in headers:
        if required:
            raise BadVector("missing header %r" % key)
        return None
    try:
        return headers[key].decode("utf-8")
    except UnicodeDecodeError:
        raise BadVector("header %r is not UTF-8" % key)


def _json_header(headers, key):
    try:
        return json_parse(_h(headers, key))
    except JSONError as e:
        raise BadVector("header %r is not JSON: %s" % (key, e))


def _fmt_problem(p):
    lineno, code, _ = p
    return code if lineno is None else "%s@%d" % (code, lineno)


def run_ledger_vector(path):
    h, body = read_vector(path, True)
    expect = _h(h, "expect")
    res = audit_bytes(body)
    got = [_fmt_problem(p) for p in res.problems]
    details = ["got: " + (" ".join(got) if got else "no problems")]
    if res.norm_skipped:
        wanted = (_h(h, "status", False) or "") + " " + (_h(h, "problems", False) or "")
        if "content.norm.mismatch" in wanted:
            raise Skip("its expectation rests on normalized hashes, which are not checked here")
        PARTIAL.append(path)
    if expect == "valid":
        if got:
            return False, details + ["expected: valid"]
        return True, []
    if expect != "invalid":
        raise BadVector("expect is %r" % expect)
    FULL_LISTS.append((path, " ".join(got), res.valid_lines))
    # R: every invalid ledger vector pins its whole problem list and its valid lines
    for key in ("problems", "valid-lines"):
        if key not in h:
            raise BadVector("an invalid ledger vector without the %r header" % key)
    bad = []
    if not got:
        bad.append("expected invalid, got valid")
    else:
        status = _h(h, "status")
        line = _h(h, "line", False)
        first = res.problems[0]
        want_first = status if line is None else "%s@%s" % (status, line)
        if _fmt_problem(first) != want_first:
            bad.append("first problem: expected %s, got %s" % (want_first, _fmt_problem(first)))
    want = _h(h, "problems").split(" ")
    if want != got:
        bad.append("problems: expected %s" % " ".join(want))
    want_v = int(_h(h, "valid-lines"))
    if want_v != res.valid_lines:
        bad.append("valid-lines: expected %d, got %d" % (want_v, res.valid_lines))
    if bad:
        return False, bad + details
    return True, []


def run_jcs_vector(path):
    h, _ = read_vector(path, False)
    expect = _h(h, "expect")
    raw = h["input"]
    if expect == "ok":
        want = h["output"]
        bad_numbers = []
        try:
            value = json_parse(raw.decode("utf-8"), bad_numbers)
        except (UnicodeDecodeError, JSONError) as e:
            return False, ["expected ok, the input does not parse: %s" % e]
        if bad_numbers:
            return False, ["expected ok, got line.number (%s)" % bad_numbers[0]]
        out = canonical(value)
        if out != want:
            return False, ["expected output %r" % want, "got %r" % out]
        code, msg, _ = check_line(want)
        if code:
            return False, ["the expected output itself fails the line check: %s %s" % (code, msg)]
        return True, []
    if expect != "reject":
        raise BadVector("expect is %r" % expect)
    status = _h(h, "status")
    code, msg, _ = check_line(raw)
    if code != status:
        return False, ["expected %s, got %s (%s)" % (status, code or "accepted", msg)]
    return True, []


def run_keys_vector(path):
    h, _ = read_vector(path, False)
    expect = _h(h, "expect")
    line = _h(h, "line")
    kind, info = parse_key_line(line)
    # The same line as a whole keyring / .pub file must give the same outcome (README), except
    # an allowed-signers line (`in: keyring`), which only a keyring reads (L§10.1).
    ring, ring_err = read_keyring(h["line"] + b"\n")
    if "in" in h:
        if _h(h, "in") != "keyring":
            raise BadVector("in: %r" % _h(h, "in"))
        if kind == "key":
            return False, ["a .pub file must not read an allowed-signers line"]
        kind, info = parse_allowed_signers_line(line.rstrip("".join(W_SET))) or ("bad", "not an allowed-signers line")
    if expect == "ignored":
        a = parse_allowed_signers_line(line.rstrip("".join(W_SET)))
        bad = []
        if a is None or a[0] != "ignored":
            bad.append("expected an ignored allowed-signers line, got %r" % (a,))
        if ring is not None:
            bad.append("a keyring of only an ignored line lists no key, yet it was accepted")
        return not bad, bad
    if expect == "ok":
        bad = []
        if kind != "key":
            return False, ["expected ok, got %s: %s" % (kind, info)]
        kid, pub, name = info
        if kid != _h(h, "key-id"):
            bad.append("key id %s, expected %s" % (kid, _h(h, "key-id")))
        if public_from_seed(bytes.fromhex(_h(h, "seed"))) != pub:
            bad.append("the key is not the public key of the seed")
        if "name" in h and _json_header(h, "name") != name:
            bad.append("name %r, expected %r" % (name, _json_header(h, "name")))
        if ring is None:
            bad.append("as a keyring file the line is rejected: %s" % ring_err)
        # An OpenSSH blob is also read by an outside implementation of the format.
        blob = [t for t in _split_unquoted(line, " \t") if t.startswith("AAAAC3NzaC1lZDI1NTE5")]
        if blob:
            from cryptography.hazmat.primitives import serialization as _ser
            k = _ser.load_ssh_public_key(("ssh-ed25519 " + blob[0]).encode())
            raw = k.public_bytes(_ser.Encoding.Raw, _ser.PublicFormat.Raw)
            if raw != pub:
                bad.append("cryptography reads another key from the OpenSSH blob")
        return not bad, bad
    if expect != "reject":
        raise BadVector("expect is %r" % expect)
    if _h(h, "status") != "trust.keyring.invalid":
        raise BadVector("unknown status %r" % _h(h, "status"))
    bad = []
    if kind == "key":
        bad.append("expected trust.keyring.invalid, the key line was accepted")
    if ring is not None:
        bad.append("as a keyring file the line was accepted")
    return not bad, bad


def run_diff_vector(path):
    h, _ = read_vector(path, False)
    expect = _h(h, "expect")
    base = _json_header(h, "base")
    if not isinstance(base, str):
        raise BadVector("base is not a JSON string")
    script = _json_header(h, "script")
    code, msg, out = apply_script(script, base.encode("utf-8"))
    if expect == "ok":
        want = _json_header(h, "result")
        if code:
            return False, ["expected ok, got %s (%s)" % (code, msg)]
        if out != want.encode("utf-8"):
            return False, ["result %r, expected %r" % (out, want.encode("utf-8"))]
        return True, []
    if expect != "reject":
        raise BadVector("expect is %r" % expect)
    status = _h(h, "status")
    if code != status:
        return False, ["expected %s, got %s (%s)" % (status, code or "ok", msg or out)]
    return True, []


def run_normalize_vector(path):
    h, _ = read_vector(path, False)
    if _h(h, "expect") != "ok":
        raise BadVector("expect is not ok")
    if not UNICODE_OK:
        raise Skip("no conforming Unicode data (see the note above)")
    profile = _h(h, "profile")
    f = PROFILES.get(profile)
    if f is None:
        return False, ["unknown profile %r" % profile]
    inp = _json_header(h, "input")
    want = _json_header(h, "output")
    got = f(inp)
    if got != want:
        return False, ["output %s, expected %s" % (json_repr(got), json_repr(want))]
    # L§9: every profile is idempotent; check it on the vectors as a by-product
    if f(got) != got:
        return False, ["the profile is not idempotent on this output"]
    return True, []


def json_repr(s):
    return "".join(c if 0x20 <= ord(c) < 0x7F else "\\u%04x" % ord(c) if ord(c) < 0x10000
                   else "\\U%08x" % ord(c) for c in s)


def _expect_reject(h, fn):
    """Run fn (raising Reject) against expect/status[/entry] headers."""
    expect = _h(h, "expect")
    try:
        fn()
        got = None
    except Reject as r:
        got = r
    if expect == "ok":
        if got is not None:
            return False, ["expected ok, got %s (%s)" % (got.code, got.msg)]
        return True, []
    if expect != "reject":
        raise BadVector("expect is %r" % expect)
    status = _h(h, "status")
    if got is None:
        return False, ["expected %s, got ok" % status]
    bad = []
    if got.code != status:
        bad.append("expected %s, got %s (%s)" % (status, got.code, got.msg))
    want_entry = _h(h, "entry", False)
    if want_entry is not None or got.entry is not None:
        if str(got.entry) != str(want_entry):
            bad.append("entry: expected %s, got %s" % (want_entry, got.entry))
    return not bad, bad


def run_checkpoint_vector(path):
    h, body = read_vector(path, True)
    ledger_name = _h(h, "ledger")
    lpath = os.path.join(os.path.dirname(os.path.dirname(path)), "ledger", ledger_name + ".txt")
    _, ledger = read_vector(lpath, True)
    full = audit_bytes(ledger)

    def owners_at(size):
        return audit_bytes(ledger, max_lines=size).state.owners_in_effect()

    def go():
        verify_checkpoint(body, full.state.origin, owners_at,
                          full.leaves if full.root_known else None)
    return _expect_reject(h, go)


def run_proof_vector(path):
    h, body = read_vector(path, True)
    owner = public_from_seed(bytes.fromhex(FIXED_SEEDS["owner"]))
    return _expect_reject(h, lambda: check_proof(body, None, [owner]))


def run_bundle_vector(path):
    h, body = read_vector(path, True)
    return _expect_reject(h, lambda: open_bundle(body))


# ---------------------------------------------------------------------------
# Web pages (spec/verify.md §2.7), with the standard library's HTML tokenizer. It has no tree
# builder, so implied end tags are not inferred: only the block boundaries, skipped and hidden
# subtrees and text of §2.7.2, which the vectors' pages exercise, are followed tag by tag.
# ---------------------------------------------------------------------------

import html.parser as _hp

_HTML_WS = "\t\n\x0c\r "
_HTML_SKIPPED = {"head", "title", "script", "style", "template", "noscript", "iframe", "object", "embed",
                 "svg", "math", "canvas", "textarea", "select"}
_HTML_BLOCKS = set("""address article aside blockquote body caption dd details dialog div dl dt fieldset
    figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr html legend li main menu nav ol p
    pre section summary table tbody td tfoot th thead tr ul""".split())
_HTML_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
              "track", "wbr"}


def looks_like_html(b):
    """§2.7.1."""
    rest = b[3:] if b.startswith(b"\xef\xbb\xbf") else b
    rest = rest.lstrip(b"\t\n\x0c\r ").lower()
    if rest.startswith(b"<!doctype html") or rest.startswith(b"<html"):
        return True
    head = b[:1024].lower()
    for tag in (b"<html", b"<body"):
        i = head.find(tag)
        while i >= 0:
            nxt = head[i + len(tag):i + len(tag) + 1]
            if nxt and nxt in b">/\t\n\x0c\r ":
                return True
            i = head.find(tag, i + 1)
    return False


class _Extract(_hp.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines, self.cur, self.cur_pre = [], "", False
        self.skip = []  # the tag of each open skipped or hidden element
        self.pre = 0
        self.after_pre = False

    def end_line(self):
        line = self.cur if self.cur_pre else self.cur.rstrip(" ")
        if line.strip(_HTML_WS):
            self.lines.append(line)
        self.cur, self.cur_pre = "", False

    def handle_starttag(self, tag, attrs):
        self.after_pre = False
        if self.skip:
            if tag == self.skip[-1] and tag not in _HTML_VOID:
                self.skip.append(tag)
            return
        a = {k: (v or "") for k, v in attrs}
        style = "".join(c for c in a.get("style", "") if c not in _HTML_WS).lower()
        if tag in _HTML_SKIPPED or "hidden" in a or a.get("aria-hidden", "").lower() == "true" \
                or "display:none" in style:
            if tag not in _HTML_VOID:
                self.skip.append(tag)
            return
        if tag == "br":
            self.end_line()
        elif tag in _HTML_BLOCKS:
            self.end_line()
            if tag == "pre":
                self.pre += 1
                self.after_pre = True

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in _HTML_VOID and self.skip and self.skip[-1] == tag:
            self.skip.pop()

    def handle_endtag(self, tag):
        self.after_pre = False
        if self.skip:
            if tag == self.skip[-1]:
                self.skip.pop()
            return
        if tag in _HTML_BLOCKS:
            self.end_line()
            if tag == "pre" and self.pre:
                self.pre -= 1

    def handle_data(self, data):
        if self.skip:
            return
        if self.pre:
            if self.after_pre and data.startswith("\n"):
                data = data[1:]
            self.after_pre = False
            parts = data.split("\n")
            for i, part in enumerate(parts):
                if i:
                    self.end_line()
                self.cur += part
                self.cur_pre = self.cur_pre or bool(part)
            return
        for c in data:
            if c in _HTML_WS:
                if self.cur and not self.cur.endswith(" "):
                    self.cur += " "
            else:
                self.cur += c


def extract_html_text(page):
    """§2.7.2, for well-formed pages and the repairs the vectors need."""
    e = _Extract()
    e.feed(page)
    e.close()
    e.end_line()
    return "".join(l + "\n" for l in e.lines)


def run_html_vector(path):
    h, body = read_vector(path, True)
    if _h(h, "expect") != "ok":
        raise BadVector("expect is not ok")
    want = _json_header(h, "output")
    if not looks_like_html(body):
        return False, ["not recognised as a page (§2.7.1)"]
    got = extract_html_text(body.decode("utf-8"))
    if got != want:
        return False, ["text %r, expected %r" % (got, want)]
    return True, []


def _b64url_canonical(s):
    """RFC 4648 §5 without padding, canonical: None unless s is the exact encoding of its bytes."""
    if not re.fullmatch(r"[A-Za-z0-9_-]*", s) or len(s) % 4 == 1:
        return None
    raw = base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
    return raw if base64.urlsafe_b64encode(raw).decode().rstrip("=") == s else None


def verify_clearsigned(copy_text, keys):
    """spec/exports.md §4.3 over a text copy. keys: list of (kid, raw, name) trust roots.
    Returns ("ok", level) or ("reject", code), or None when the copy has no signature line."""
    pos = 0
    found = None
    for line in copy_text.split("\n"):
        t = line.lstrip(" \t")
        if t.startswith("colophon-signature v1 "):
            found = (pos + len(line) - len(t), t)
            break
        pos += len(line) + 1
    if found is None:
        return None
    start, t = found
    before = copy_text[:start]
    f = t.rstrip(" \t\r").split(" ")
    if len(f) != 5 or "@" not in f[3]:
        return "reject", "clearsign.invalid"
    origin, release = f[2], f[3]
    work, _, tag = release.partition("@")
    printable = lambda x: x != "" and all(0x21 <= ord(c) <= 0x7e for c in x)
    raw = _b64url_canonical(f[4])
    if not (printable(origin) and printable(work) and printable(tag)) or raw is None or len(raw) != 184:
        return "reject", "clearsign.invalid"
    kid = raw[104:120].hex()
    root = [k for k in keys if k[0] == kid]
    if not root:
        return "reject", "trust.untrusted"
    msg = ("colophon-signature v1 %s %s@%s " % (origin, work, tag)).encode() + raw[:120]
    if not ed_verify_strict(root[0][1], pae(b"application/vnd.colophon.clearsign.v1", msg), raw[120:])[0]:
        return "reject", "clearsign.invalid"
    sha = raw[32:64]
    a = before[:-1] if before.endswith("\n") else before
    if hashlib.sha256(a.encode()).digest() == sha or (
            a.endswith("\n") and hashlib.sha256(a[:-1].encode()).digest() == sha):
        return "ok", "exact"
    w = norm_words_v2(before).encode()
    n = int.from_bytes(raw[96:104], "big")
    if n <= len(w):
        tail = w[len(w) - n:]
        start_ok = n == len(w) or w[len(w) - n - 1:len(w) - n] == b" "
        try:
            tail.decode("utf-8")
        except UnicodeDecodeError:
            start_ok = False
        if start_ok and hashlib.sha256(tail).digest() == raw[64:96]:
            return "ok", "words/v2"
    return "reject", "copy.mismatch"


def run_clearsign_vector(path):
    h, body = read_vector(path, True)
    ring, err = read_keyring(_json_header(h, "keyring").encode())
    if ring is None:
        raise BadVector("keyring: %s" % err)
    got = verify_clearsigned(body.decode("utf-8"), ring)
    if got is None:
        return False, ["no signature line found"]
    expect = _h(h, "expect")
    want = ("ok", _h(h, "level")) if expect == "ok" else ("reject", _h(h, "status"))
    if got != want:
        return False, ["%s, expected %s" % (got, want)]
    return True, []


VECTOR_KINDS = {
    "clearsign": run_clearsign_vector,
    "ledger": run_ledger_vector,
    "jcs": run_jcs_vector,
    "keys": run_keys_vector,
    "diff": run_diff_vector,
    "normalize": run_normalize_vector,
    "checkpoint": run_checkpoint_vector,
    "proof": run_proof_vector,
    "bundle": run_bundle_vector,
    "html": run_html_vector,
}


def run_vector_dir(root, name, out):
    d = os.path.join(root, name)
    files = sorted(f for f in os.listdir(d) if f.endswith(".txt"))
    fn = VECTOR_KINDS.get(name)
    agree, disagree, skipped, lines = 0, 0, 0, []
    if fn is None:
        out.append("%s: %d files, 0 agree, 0 disagree, %d skipped (no checker for this directory)"
                   % (name, len(files), len(files)))
        return 0, 0, len(files)
    if not files:
        out.append("%s: no vector files" % name)
        return 0, 0, 1
    for f in files:
        p = os.path.join(d, f)
        try:
            ok, details = fn(p)
        except Skip as s:
            skipped += 1
            lines.append("  SKIP %s/%s: %s" % (name, f, s))
            continue
        except BadVector as b:
            ok, details = False, ["cannot read the vector: %s" % b]
        if ok:
            agree += 1
        else:
            disagree += 1
            lines.append("  DISAGREE %s/%s" % (name, f))
            lines.extend("      " + x for x in details)
    partial = sum(1 for p in PARTIAL if os.path.dirname(p) == d)
    out.append("%s: %d agree, %d disagree, %d skipped%s" % (
        name, agree, disagree, skipped,
        " (%d compared with normalized hashes NOT checked)" % partial if partial else ""))
    out.extend(lines)
    return agree, disagree, skipped


def self_tests():
    """Checks of the checker's own primitives against published data in the specs."""
    bad = []
    # T§2.4 informative: the RFC 6962 test data's size-8 root
    leaves = [leaf_hash(bytes.fromhex(x)) for x in
              ["", "00", "10", "2021", "3031", "40414243", "5051525354555657",
               "606162636465666768696a6b6c6d6e6f"]]
    if mth(leaves).hex() != "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328":
        bad.append("Merkle root of the RFC 6962 test leaves")
    if mth([]).hex() != "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855":
        bad.append("empty tree root")
    # every inclusion proof of every leaf of trees up to 9 leaves verifies, and tampering fails
    for n in range(1, 10):
        for m in range(n):
            pr = _audit_path(leaves * 2, m, 0, n)
            root = mth(leaves * 2, 0, n)
            if not verify_inclusion(m, n, (leaves * 2)[m], pr, root):
                bad.append("inclusion proof %d in %d" % (m, n))
            if verify_inclusion(m, n, (leaves * 2)[m], pr + [root], root):
                bad.append("inclusion proof %d in %d with an extra hash" % (m, n))
    # RFC 8032 test 1: sign with cryptography, verify with the pure-Python rules
    seed = bytes.fromhex(FIXED_SEEDS["owner"])
    pub = public_from_seed(seed)
    if pub.hex() != "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a":
        bad.append("RFC 8032 test 1 public key")
    sig = Ed25519PrivateKey.from_private_bytes(seed).sign(b"")
    if not ed_verify_strict_pure(pub, b"", sig)[0]:
        bad.append("pure Ed25519 rejects RFC 8032 test 1")
    S = int.from_bytes(sig[32:], "little")
    if ed_verify_strict_pure(pub, b"", sig[:32] + (S + ED_L).to_bytes(32, "little"))[0]:
        bad.append("pure Ed25519 accepts S + L")
    if ed_encode(ED_B) != bytes.fromhex(
            "5866666666666666666666666666666666666666666666666666666666666666"):
        bad.append("base point encoding")
    if not ed_is_identity(ed_mul(ED_L, ED_B)):
        bad.append("[L]B is not the identity")
    # L§4.1 DSSE PAE example shape
    if pae(b"t", b"") != b"DSSEv1 1 t 0 ":
        bad.append("PAE of an empty body")
    return bad


def _audit_path(leaves, m, lo, hi):
    """RFC 6962 PATH(m, D[lo:hi]) (for self-tests only)."""
    n = hi - lo
    if n <= 1:
        return []
    k = 1
    while k * 2 < n:
        k *= 2
    if m < k:
        return _audit_path(leaves, m, lo, lo + k) + [mth(leaves, lo + k, hi)]
    return _audit_path(leaves, m - k, lo + k, hi) + [mth(leaves, lo, lo + k)]


def run_vectors(root, only, full=False):
    out = []
    st = self_tests()
    out.append("self-test: %s" % ("ok" if not st else "FAILED: " + ", ".join(st)))
    if not UNICODE_OK:
        out.append("note: " + UNICODE_NOTE)
    else:
        out.append("unicode: " + UNICODE_NOTE)
    names = sorted(n for n in os.listdir(root) if os.path.isdir(os.path.join(root, n)))
    if only:
        for n in only:
            if n not in names:
                print("no vector directory %s in %s" % (n, root), file=sys.stderr)
                return 2
        names = [n for n in names if n in only]
    total_dis = total_skip = 0
    for n in names:
        _, dis, sk = run_vector_dir(root, n, out)
        total_dis += dis
        total_skip += sk
    if full:
        out.append("this checker's full problem list of every invalid ledger vector")
        out.append("(in the vector README's header format; compare with `colophon audit --json`):")
        for path, probs, vl in FULL_LISTS:
            out.append("  %s/%s" % (os.path.basename(os.path.dirname(path)), os.path.basename(path)))
            out.append("    problems: %s" % probs)
            out.append("    valid-lines: %d" % vl)
    for line in out:
        print(line)
    if st or total_dis or total_skip:
        print("FAIL: %d disagreement(s), %d skipped, self-test %s"
              % (total_dis, total_skip, "failed" if st else "ok"))
        return 1
    print("OK: every vector agrees")
    return 0


# ---------------------------------------------------------------------------
# Outside vectors (../shared/vectors: RFC 8785, DSSE)
# ---------------------------------------------------------------------------

def run_outside(root):
    out = []
    dis = agree = skip = 0
    d = os.path.join(root, "rfc8785")
    if os.path.isdir(d):
        for f in sorted(os.listdir(os.path.join(d, "input"))):
            with open(os.path.join(d, "input", f), "rb") as fh:
                inp = fh.read()
            with open(os.path.join(d, "output", f), "rb") as fh:
                want = fh.read()
            value = json_parse(inp.decode("utf-8"))
            if any(isinstance(x, JNum) for x in json_walk(value)):
                skip += 1
                out.append("  SKIP rfc8785/%s: holds non-integer numbers, outside the format" % f)
                continue
            got = canonical(value)
            if got != want:
                dis += 1
                out.append("  DISAGREE rfc8785/%s: %r != %r" % (f, got[:80], want[:80]))
            else:
                agree += 1
    p = os.path.join(root, "dsse", "vectors.json")
    if os.path.isfile(p):
        with open(p, "rb") as fh:
            doc = json_parse(fh.read().decode("utf-8"))
        pubs = {k: bytes.fromhex(v["public"]) for k, v in doc["keys"].items()
                if v.get("algorithm") == "ed25519"}
        for vec in doc["vectors"]:
            try:
                verdict, why = dsse_verify(vec, pubs)
            except (KeyError, TypeError, ValueError) as ex:
                skip += 1
                out.append("  SKIP dsse/%s: cannot read the vector (%s)" % (vec.get("id"), ex))
                continue
            want = vec.get("expect")
            # the signatures cover `pae`: Ed25519 over it must verify under the signing key
            covered = all(ed_verify_strict(pubs[sg["keyid"]], bytes.fromhex(vec["pae"]),
                                           b64_canonical(sg["sig"]))[0]
                          for sg in vec["envelope"]["signatures"]
                          if sg.get("keyid") in pubs and b64_canonical(sg["sig"]) and
                          vec["envelope"]["payloadType"])
            if verdict == want and covered:
                agree += 1
            else:
                dis += 1
                out.append("  DISAGREE dsse/%s: expected %s, got %s (%s)%s"
                           % (vec.get("id"), want, verdict, why,
                              "" if covered else "; a signature does not cover `pae`"))
    print("outside: %d agree, %d disagree, %d skipped" % (agree, dis, skip))
    for line in out:
        print(line)
    return 1 if dis else 0


def dsse_verify(vec, pubs):
    """The DSSE v1 verification the outside vectors describe: the payload type must be
    supported, the signatures are over PAE(type, payload), and at least `threshold` distinct
    trusted keys must have signed. Payloads may use either base64 alphabet (DSSE)."""
    env = vec["envelope"]
    typ = env["payloadType"]
    if not typ or typ not in vec.get("supportedPayloadTypes", [typ]):
        return "reject", "unsupported payload type %r" % typ
    pl = env["payload"]
    payload = base64.b64decode(pl.replace("-", "+").replace("_", "/") + "=" * (-len(pl) % 4))
    msg = pae(typ.encode("utf-8"), payload)
    if vec.get("expect") == "accept" and msg.hex() != vec["pae"]:
        return "reject", "PAE differs from the vector's pae"
    trusted = [k for k in vec["trustedKeys"] if k in pubs]
    signers = set()
    for sg in env["signatures"]:
        sb = sg["sig"]
        sig = base64.b64decode(sb.replace("-", "+").replace("_", "/") + "=" * (-len(sb) % 4))
        cands = [sg["keyid"]] if sg.get("keyid") else trusted
        for k in cands:
            if k in trusted and len(sig) == 64 and ed_verify_strict(pubs[k], msg, sig)[0]:
                signers.add(k)
                break
    if len(signers) >= vec.get("threshold", 1):
        return "accept", "%d distinct trusted signer(s)" % len(signers)
    return "reject", "%d distinct trusted signer(s), threshold %d" % (
        len(signers), vec.get("threshold", 1))


# ---------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------

def audit_file(path):
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        print("%s: ledger.io cannot read the ledger: %s" % (path, e.strerror))
        return 2
    res = audit_bytes(data)
    for lineno, code, msg in res.problems:
        where = path if lineno is None else "%s:%d" % (path, lineno)
        print("%s: %s %s" % (where, code, msg))
    if res.norm_skipped:
        print("%s: warning: normalized hashes of %d version(s) NOT checked: %s"
              % (path, res.norm_skipped, UNICODE_NOTE))
    verdict = "valid" if not res.problems else "invalid, %d problem%s" % (
        len(res.problems), "" if len(res.problems) == 1 else "s")
    root = res.root
    print("%s: %s; %d lines, %d valid lines; Merkle root %s"
          % (path, verdict, res.lines, res.valid_lines,
             "unknown (a line over 64 MiB is not hashed)" if root is None else root.hex()))
    return 0 if not res.problems else 1


USAGE = """usage: colophon_check.py LEDGER...
       colophon_check.py --vectors DIR [--only NAME]... [--full-problems]
       colophon_check.py --outside DIR

Audits colophon ledgers (spec/ledger.md section 11), or runs the spec's test vectors,
independently of the reference implementation. Exit 0 valid/agree, 1 invalid/disagree,
2 bad input."""


def main(argv):
    if Ed25519PublicKey is None:
        print("the 'cryptography' package is required (pip install cryptography)", file=sys.stderr)
        return 2
    if not argv or argv[0] in ("-h", "--help"):
        print(USAGE)
        return 0 if argv else 2
    try:
        if argv[0] == "--vectors":
            if len(argv) < 2:
                print(USAGE, file=sys.stderr)
                return 2
            only = []
            full = False
            rest = argv[2:]
            while rest:
                if rest[0] == "--full-problems":
                    full = True
                    rest = rest[1:]
                elif rest[0] == "--only" and len(rest) > 1:
                    only.append(rest[1])
                    rest = rest[2:]
                else:
                    print(USAGE, file=sys.stderr)
                    return 2
            if not os.path.isdir(argv[1]):
                print("%s: not a directory" % argv[1], file=sys.stderr)
                return 2
            return run_vectors(argv[1], only, full)
        if argv[0] == "--outside":
            if len(argv) != 2 or not os.path.isdir(argv[1]):
                print(USAGE, file=sys.stderr)
                return 2
            return run_outside(argv[1])
        if argv[0].startswith("-"):
            print(USAGE, file=sys.stderr)
            return 2
        if not UNICODE_OK:
            print("warning: " + UNICODE_NOTE, file=sys.stderr)
        rc = 0
        for p in argv:
            rc = max(rc, audit_file(p))
        return rc
    except CheckerError as e:
        print("checker bug: %s" % e, file=sys.stderr)
        return 2


if __name__ == "__main__":
    try:
        _rc = main(sys.argv[1:])
        sys.stdout.flush()
    except BrokenPipeError:  # the reader stopped (| head): not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        _rc = 1
    sys.exit(_rc)
