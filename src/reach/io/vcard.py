r"""vCard address books (``.vcf``): vCard 2.1, 3.0 and 4.0, many cards per file.

Quirks handled (see ``shared/FORMATS.md`` 4.4): folded lines (CRLF, LF or the CR CR LF some iPhone
exports write, continued by a space or a tab), QUOTED-PRINTABLE values with soft line breaks (a value
ending in ``=`` continues on the next line) and a ``CHARSET`` parameter, Apple ``itemN.`` groups
(``item1.EMAIL``), bare 2.1 type parameters (``TEL;CELL;PREF:``), ``TEL;VALUE=uri:tel:+1-555...``,
several EMAIL/TEL per card, ``FN`` with stray spaces, ``ORG`` (first component), ``TITLE``, ``URL`` or
``X-SOCIALPROFILE`` pointing at linkedin.com, text escapes (``\,`` ``\;`` ``\n`` ``\:``) and
lower-case ``BEGIN:vCard``.

Speed: the parser never walks the file line by line in Python. One regular expression jumps from one
interesting property (BEGIN, END, FN, N, EMAIL, TEL, ORG, TITLE, URL, X-SOCIALPROFILE) to the next,
so notes and addresses are stepped over by the regex engine; base64 ``PHOTO``/``LOGO``/``KEY``/``SOUND``
payloads are jumped over with ``str.find`` (base64 has no ``:``, the next property line has one) and
never decoded. The common one-line property is split by the regex itself. ``scripts/bench_vcard.py``
compares it with ``vobject``.

Each card becomes one ``contact`` record whose ``line`` is the line of its ``BEGIN:VCARD``. With an
``owner``, each card is also an owner -> contact interaction of channel ``contact`` (an address-book
entry: weak evidence of a tie). A card without ``END:VCARD``, or with no name, email or phone, goes
to rejects; the rest of the file still imports.
"""

from __future__ import annotations

import binascii
import codecs
import re
import unicodedata
from pathlib import Path

import pyarrow as pa

from reach.errors import InputFormatError
from reach.io.base import Format, Parsed, owner_record, paused_gc, rejects_table
from reach.io.text import decode, detect_encoding

INTERESTING = ("BEGIN", "END", "FN", "N", "EMAIL", "TEL", "ORG", "TITLE", "URL", "X-SOCIALPROFILE")
_CODE = {name: i for i, name in enumerate(INTERESTING)}
BEGIN, END, FN, N, EMAIL, TEL, ORG, TITLE, URL, SOCIAL = range(len(INTERESTING))


def _nocase(word: str) -> str:
    # character classes instead of re.IGNORECASE: the same matches, and the scan runs ~20% faster
    return "".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else re.escape(c) for c in word)


# Properties whose values can be large binary payloads (base64): only their start is matched, and the
# parser jumps over the payload (base64 has no ':'; the next property line has one) with str.find.
BINARY = ("PHOTO", "LOGO", "KEY", "SOUND")
# A property line: optional group (``item1.``), name, then ``;params:value`` with its folded
# continuation lines (a newline followed by a space or a tab). _PROP finds it after a newline (the
# look-ahead lets the engine step over folded lines quickly); _PROP_AT_START on line 1.
_NAMES = "|".join(_nocase(n) for n in INTERESTING)
_PROP_BODY = (
    r"(?:[A-Za-z0-9_-]+\.)?(?:(" + _NAMES + r")(?:"
    # 2-3, the common case: one unfolded line, no quotes in the parameters; CRs left out of the value
    r"(?:;([^\n:\"]*))?:([^\r\n]*)\r*(?![^\n])(?!\n[ \t])"
    # 4, the rest: ``;params:value`` with folded continuation lines, quoted parameters...
    r"|([;:][^\n]*(?:\n[ \t][^\n]*)*))"
    # 5, binary payloads, skipped
    r"|(" + "|".join(_nocase(n) for n in BINARY) + r")[;:])"
)
_PROP = re.compile(r"\n(?=[A-Za-z0-9])" + _PROP_BODY)
_PROP_AT_START = re.compile(_PROP_BODY)
_UNFOLD = re.compile(r"\r*\n[ \t]")
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
_ESCAPES = {"n": "\n", "N": "\n"}
_HAS_DIGIT = re.compile(r"\d").search
_BEGIN_ANYWHERE = re.compile(r"(?:^|\n)[ \t]*BEGIN:VCARD", re.IGNORECASE)
MAX_EXCERPT = 160


def sniff(head: str, path: Path | None = None) -> float:
    """1.0 when the text starts with ``BEGIN:VCARD``; 0.6 when such a line appears further on."""
    start = head.lstrip()[:11].upper()
    if start == "BEGIN:VCARD":
        return 1.0
    return 0.6 if _BEGIN_ANYWHERE.search(head) else 0.0


def _escape_char(m: re.Match) -> str:
    return _ESCAPES.get(m.group(1), m.group(1))


def _unescape(value: str) -> str:
    r"""Undo vCard text escapes: ``\n`` ``\N`` ``\,`` ``\;`` ``\:`` ``\\`` (any other ``\x`` -> ``x``)."""
    if "\\" not in value:
        return value
    if "\\\\" not in value:
        value = (
            value.replace("\\n", "\n").replace("\\N", "\n").replace("\\,", ",").replace("\\;", ";").replace("\\:", ":")
        )
        if "\\" not in value:
            return value
    return _ESCAPE.sub(_escape_char, value)


def _split_unescaped(value: str, sep: str) -> list[str]:
    """Split on ``sep`` where it is not backslash-escaped (escapes are kept for :func:`_unescape`)."""
    if "\\" not in value:
        return value.split(sep)
    if "\x00" in value or "\x01" in value:
        return _split_unescaped_slow(value, sep)
    esc = "\\" + sep
    protected = value.replace("\\\\", "\x00").replace(esc, "\x01")
    return [c.replace("\x01", esc).replace("\x00", "\\\\") for c in protected.split(sep)]


def _split_unescaped_slow(value: str, sep: str) -> list[str]:
    parts, cur, i, n = [], [], 0, len(value)
    while i < n:
        ch = value[i]
        if ch == "\\" and i + 1 < n:
            cur.append(value[i : i + 2])
            i += 2
            continue
        if ch == sep:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
        i += 1
    parts.append("".join(cur))
    return parts


def _unescape_value(value: str, code: int) -> str | list[str]:
    """Undo text escapes; N (family, given) and ORG (first) come back as unescaped components."""
    if code == N:
        return [_unescape_list(c) for c in _split_unescaped(value, ";")[:2]]
    if code == ORG:
        return [_unescape(_split_unescaped(value, ";")[0])]
    return _unescape(value)


def _unescape_list(component: str) -> str:
    """An N component with its unescaped commas (list separators) turned into spaces."""
    if "," not in component:
        return _unescape(component).strip()
    return " ".join(w for w in (_unescape(x).strip() for x in _split_unescaped(component, ",")) if w)


def _words(component: str) -> str:
    return " ".join(x.strip() for x in component.split(",") if x.strip())


_PARAMS = re.compile(r'(?:[^":]+|"[^"]*")*')


def _split_params(rest: str) -> tuple[str, str] | None:
    """``;params:value`` or ``:value`` -> (params, value); a colon inside quotes is not the separator."""
    if rest[0] == ":":
        return "", rest[1:]
    i = _PARAMS.match(rest, 1).end()
    if i >= len(rest) or rest[i] != ":":  # an unbalanced quote: take the first colon
        i = rest.find(":")
        if i < 0:
            return None
    return rest[1:i], rest[i + 1 :]


_CHARSETS: dict[str, str | None] = {}


def _charset(params_upper: str, params: str) -> str | None:
    i = params_upper.find("CHARSET=")
    if i < 0:
        return None
    name = params[i + 8 :].split(";", 1)[0].split(",", 1)[0].strip().strip('"')
    try:
        return _CHARSETS[name]
    except KeyError:
        pass
    try:
        found: str | None = codecs.lookup(name).name
    except LookupError:
        found = None
    if len(_CHARSETS) < 64:
        _CHARSETS[name] = found
    return found


def _decode_bytes(raw: bytes, charset: str | None, fallback: str = "cp1252") -> str:
    """A value's bytes -> text: in its declared ``charset``, else UTF-8, else ``fallback`` (never failing)."""
    if charset:
        try:
            return raw.decode(charset)
        except UnicodeDecodeError:
            return raw.decode(charset, "replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode(fallback)
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _decode_qp(value: str, charset: str | None, *, raw: bool = False) -> str:
    """Quoted-printable value (soft breaks already joined) -> text, in ``charset`` (UTF-8 by default).

    With ``raw`` the value is the file's bytes held as Latin-1 text (see :func:`vcard_text`).
    """
    data = binascii.a2b_qp(value.encode("latin-1" if raw else (charset or "utf-8"), "replace"))
    return _decode_bytes(data, charset)


def _from_raw(value: str, charset: str | None) -> str:
    """A value of a byte-level parse (bytes held as Latin-1 text) decoded in its charset."""
    if value.isascii():
        return value
    return _decode_bytes(value.encode("latin-1"), charset)


_CHARSET_PARAM = re.compile(rb"[;,][Cc][Hh][Aa][Rr][Ss][Ee][Tt]=\"?([A-Za-z0-9_.:-]+)")
_UTF8_NAMES = frozenset({"utf-8", "utf_8"})


def vcard_text(data: bytes) -> tuple[str, bool]:
    """The text the parser reads, and whether it is *raw* (the file's bytes held as Latin-1 text).

    RFC 6350 3.2 unfolds the bytes before they are decoded, and vCard 2.1 declares a ``CHARSET`` per
    property. A UTF-16 file, or a UTF-8 file that declares no other charset, is decoded whole; any
    other file is parsed on its bytes (Latin-1 maps each byte to one character, so unfolding and the
    property grammar, all ASCII, work unchanged) and each value is decoded on its own: in its
    ``CHARSET``, else as UTF-8, else as Windows-1252. A fold inside a multi-byte character is then
    joined before the character is decoded, and one card in Shift_JIS does not garble the others.
    """
    enc = detect_encoding(data[:65536])
    if enc.startswith("utf-16"):
        return decode(data).lstrip("\ufeff"), False
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    declared = set()
    for m in _CHARSET_PARAM.finditer(data):
        try:
            declared.add(codecs.lookup(m.group(1).decode("ascii")).name)
        except LookupError:
            continue
    if declared <= _UTF8_NAMES:
        try:
            return data.decode("utf-8"), False
        except UnicodeDecodeError:
            pass
    return data.decode("latin-1"), True


def _excerpt(text: str, at: int) -> str:
    return text[at : at + MAX_EXCERPT].replace("\r", "")


def parse_cards(text: str, *, raw: bool = False) -> dict:
    """Parse every card of a decoded ``.vcf`` text (``raw``: bytes held as Latin-1, see :func:`vcard_text`).

    Returns columns (``line``, ``display_name``, ``first_name``, ``last_name``, ``company``, ``title``,
    ``emails``, ``phones``, ``linkedin_url``) for the accepted cards, ``rejects`` as ``(line, reason,
    excerpt)`` tuples, ``n_cards`` and counters for the notes.
    """
    if "\n" not in text and "\r" in text:
        text = text.replace("\r", "\n")  # classic Mac line ends
    unfold = _UNFOLD.sub
    has_digit = _HAS_DIGIT
    code_of = _CODE.get
    c_line: list[int] = []
    c_display: list[str | None] = []
    c_first: list[str | None] = []
    c_last: list[str | None] = []
    c_company: list[str | None] = []
    c_title: list[str | None] = []
    c_emails: list[list[str] | None] = []
    c_phones: list[list[str] | None] = []
    c_linkedin: list[str | None] = []
    rejects: list[tuple[int | None, str, str | None]] = []
    n_cards = n_bad_email = n_bad_tel = 0

    newlines = 0  # newlines in text[:counted]
    counted = 0
    in_card = False
    line = begin_at = 0
    fn = given = family = org = title = linkedin = error = None
    emails: list[str] = []
    email_keys: list[str] = []
    phones: list[str] = []
    end_text = len(text)
    search = _PROP.search
    first = _PROP_AT_START.match(text)
    pos = 0
    while True:
        if first is not None:
            m, first = first, None
        else:
            m = search(text, pos)
            if m is None:
                break
        pos = m.end()
        name, params, value, rest, binary = m.groups()
        if rest is not None or binary is not None:
            if binary is not None:
                # jump over a base64 payload: the next ':' after the value's is on a later property line
                colon = text.find(":", pos - 1)
                if colon >= 0:
                    nxt = text.find(":", colon + 1)
                    if nxt < 0:
                        pos = end_text
                    else:
                        nl = text.rfind("\n", colon, nxt)
                        while nl >= 0 and text[nl + 1 : nl + 2] in (" ", "\t"):  # from where that line starts
                            nl = text.rfind("\n", colon, nl)
                        pos = nl if nl >= 0 else colon
                continue
            if "\n" in rest:
                rest = unfold("", rest)
            rest = rest.rstrip("\r")
            split = _split_params(rest)
            if split is None:
                continue
            params, value = split
        code = code_of(name)
        if code is None:
            code = _CODE[name.upper()]
        if code <= END:
            if value != "VCARD" and value.strip().upper() != "VCARD":
                continue
            if code == BEGIN:
                start = m.start()
                at = start + 1 if text[start] == "\n" else start  # where the BEGIN line starts
                newlines += text.count("\n", counted, at)
                counted = at
                if in_card:
                    rejects.append((line, "card has no END:VCARD", _excerpt(text, begin_at)))
                n_cards += 1
                in_card = True
                line, begin_at = newlines + 1, at
                fn = given = family = org = title = linkedin = error = None
                emails = []
                email_keys = []
                phones = []
                continue
            if not in_card:
                continue
            in_card = False
            if error is not None:
                rejects.append((line, error, _excerpt(text, begin_at)))
                continue
            display = fn or (" ".join(p for p in (given, family) if p) if given or family else None)
            if display is None and not emails and not phones:
                rejects.append((line, "card has no name, email or phone", _excerpt(text, begin_at)))
                continue
            c_line.append(line)
            c_display.append(display or org)  # an empty FN and N: the card is named by its ORG
            c_first.append(given or None)
            c_last.append(family or None)
            c_company.append(org)
            c_title.append(title)
            c_emails.append(emails or None)
            c_phones.append(phones or None)
            c_linkedin.append(linkedin)
            continue
        if not in_card:
            continue
        try:
            charset = None
            if params:
                pu = params.upper()
                if "QUOTED-PRINTABLE" in pu:
                    # soft line breaks: a value ending in '=' goes on with the next raw line
                    while value.endswith("=") and pos < end_text:
                        nxt_end = text.find("\n", pos + 1)
                        if nxt_end < 0:
                            nxt_end = end_text
                        nxt = text[pos + 1 : nxt_end].rstrip("\r")
                        if nxt[:11].upper() in ("END:VCARD", "BEGIN:VCARD"):
                            break
                        value = value[:-1] + nxt
                        pos = nxt_end
                    value = _decode_qp(value, _charset(pu, params), raw=raw)
                    charset = ""  # decoded
                elif "ENCODING=B" in pu:
                    continue  # base64 text values are not worth decoding
                elif raw and "CHARSET=" in pu:
                    charset = _charset(pu, params)
            if raw and charset != "":
                value = _from_raw(value, charset)
            if "\\" in value:
                value = _unescape_value(value, code)
            if code == TEL:
                v = value.strip()
                if v[:4] in ("tel:", "TEL:", "Tel:"):
                    v = v[4:].split(";", 1)[0].strip()
                if v and (v[0] in "+0123456789(" or has_digit(v)):
                    if v not in phones:
                        phones.append(v)
                elif v:
                    n_bad_tel += 1
            elif code == EMAIL:
                v = unicodedata.normalize("NFKC", value).strip()  # full-width letters and "＠" become plain
                if v[:7].lower() == "mailto:":
                    v = v[7:].strip()
                if "@" in v and " " not in v:
                    lv = v.lower()
                    if lv not in email_keys:  # the same address twice, in two cases: once
                        email_keys.append(lv)
                        emails.append(v)
                elif v:
                    n_bad_email += 1
            elif code == FN:
                if not fn:
                    fn = " ".join(value.split()) or None
            elif code == N:
                if given is None and family is None:
                    if type(value) is str:  # no escapes
                        comps = value.split(";", 2)
                        family = _words(comps[0]) if "," in comps[0] else comps[0].strip()
                        given = "" if len(comps) < 2 else _words(comps[1]) if "," in comps[1] else comps[1].strip()
                    else:  # already split and unescaped by _unescape_value
                        family, given = value[0], value[1] if len(value) > 1 else ""
            elif code == ORG:
                if not org:
                    org = (value.split(";", 1)[0] if type(value) is str else value[0]).strip() or None
            elif code == TITLE:
                if not title:
                    title = " ".join(value.split()) or None
            elif not linkedin:  # URL, X-SOCIALPROFILE
                v = value.strip()
                if "linkedin.com" in v.lower():
                    linkedin = v
        except Exception as exc:  # noqa: BLE001 - a card we cannot read goes to rejects, never up
            error = f"cannot read {INTERESTING[code]}: {type(exc).__name__}"
    if in_card:
        rejects.append((line, "card has no END:VCARD", _excerpt(text, begin_at)))
    return {
        "columns": {
            "line": c_line,
            "display_name": c_display,
            "first_name": c_first,
            "last_name": c_last,
            "company": c_company,
            "title": c_title,
            "emails": c_emails,
            "phones": c_phones,
            "linkedin_url": c_linkedin,
        },
        "rejects": rejects,
        "n_cards": n_cards,
        "n_bad_email": n_bad_email,
        "n_bad_tel": n_bad_tel,
    }


def _read_vcard(path: Path, *, owner: str | None = None, options: dict | None = None) -> Parsed:
    """Parse a ``.vcf`` file; each card is a contact, and with ``owner`` an owner -> contact entry."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        msg = f"cannot read {path}: {exc.strerror or exc}"
        raise InputFormatError(msg) from exc
    text, raw = vcard_text(data)
    parsed = parse_cards(text, raw=raw)
    if parsed["n_cards"] == 0:
        msg = f"{path}: no BEGIN:VCARD line; not a vCard file"
        raise InputFormatError(msg)
    cols = parsed["columns"]
    n = len(cols["line"])
    owner = owner.strip() if owner else None
    base = 1 if owner else 0
    str_cols = ("display_name", "first_name", "last_name", "company", "title", "linkedin_url")
    if owner:
        rec0 = owner_record(owner)
        lines = [None, *cols["line"]]
        roles = ["owner"] + ["contact"] * n
        owners = [rec0["owner"]] + [None] * n
        strs = {k: [rec0.get(k), *cols[k]] for k in str_cols}
        emails = [rec0.get("emails"), *cols["emails"]]
        phones = [None, *cols["phones"]]
    else:
        lines, roles, owners = cols["line"], ["contact"] * n, [None] * n
        strs = {k: cols[k] for k in str_cols}
        emails, phones = cols["emails"], cols["phones"]
    str_list = pa.list_(pa.string())
    records = pa.table(
        {
            "record_id": pa.array(range(n + base), pa.int64()),
            "line": pa.array(lines, pa.int64()),
            "role": pa.array(roles, pa.string()),
            "key": pa.nulls(n + base, pa.string()),
            "owner": pa.array(owners, pa.string()),
            "display_name": pa.array(strs["display_name"], pa.string()),
            "first_name": pa.array(strs["first_name"], pa.string()),
            "last_name": pa.array(strs["last_name"], pa.string()),
            "company": pa.array(strs["company"], pa.string()),
            "title": pa.array(strs["title"], pa.string()),
            "emails": pa.array(emails, str_list),
            "phones": pa.array(phones, str_list),
            "linkedin_url": pa.array(strs["linkedin_url"], pa.string()),
        }
    )
    m = n if owner else 0
    interactions = pa.table(
        {
            "line": pa.array(cols["line"] if owner else [], pa.int64()),
            "src_record": pa.array([0] * m, pa.int64()),
            "dst_record": pa.array(range(1, m + 1), pa.int64()),
            "channel": pa.array(["contact"] * m, pa.string()),
            "at": pa.nulls(m, pa.timestamp("us", tz="UTC")),
            "weight": pa.array([1.0] * m, pa.float64()),
            "n_participants": pa.array([2] * m, pa.int32()),
        }
    )
    notes = []
    if parsed["n_bad_email"]:
        notes.append(f"{parsed['n_bad_email']} EMAIL value(s) without an address ignored")
    if parsed["n_bad_tel"]:
        notes.append(f"{parsed['n_bad_tel']} TEL value(s) without digits ignored")
    return Parsed(
        records=records,
        interactions=interactions,
        rejects=rejects_table(parsed["rejects"]),
        n_rows=parsed["n_cards"],
        n_skipped=0,
        notes=notes,
    )


def read_vcard(path: Path, *, owner: str | None = None, options: dict | None = None) -> Parsed:
    """Read ``path`` (see the module docstring). The cyclic garbage collector is paused meanwhile: the
    parser allocates many small containers and nothing cyclic (see ``paused_gc``).
    """
    with paused_gc():
        return _read_vcard(path, owner=owner, options=options)


FORMATS = [
    Format("vcard", "vCard address book (.vcf; vCard 2.1, 3.0, 4.0)", sniff, read_vcard, needs_owner=False),
]
