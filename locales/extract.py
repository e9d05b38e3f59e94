#!/usr/bin/env python3
"""Collects the translatable text and merges it into every catalogue, as msgmerge would.

Extracts every @tr("…") (and plural @tr("…" | "…" % n)) from ui/**/*.slint with its component as
msgctxt (what Slint looks up), and every t(lang, "…"), tn(lang, "…", "…", n, …), say_t("…"), msgid("…") and
say_tn("…", "…", …) from src/desk/ under msgctxt "desk", and from src/kiosk/ (the kiosk's
messages) under msgctxt "kiosk" (src/i18n.rs looks them up); writes
locales/intake-kiosk.pot and merges it into every locales/<lang>/LC_MESSAGES/intake-kiosk.po
(each folder there is a language: add one by creating its folder).

Merging keeps what gettext's msgmerge keeps: the header (Language, Plural-Forms, translators),
every translation whose context and msgid still exist, translator comments and flags (a fuzzy
entry stays fuzzy: not used until a translator confirms it), and entries no longer in the
template as obsolete "#~" entries (a string that comes back gets its translation back). A string
moved to another component keeps its translation. A singular translation of a string that is now
plural (or the other way round) is kept, marked fuzzy, for a translator to redo. Catalogues are
read with a real PO parser: entries re-wrapped over several lines by msgcat or msgmerge, escapes
and comments read as gettext writes them.

Optional: a Python file defining T = {english msgid: {lang: text, or [forms] for a plural}} as
argv[1] fills entries that are still empty (the older form {english: (fr, es, de)} still works).
Run it after changing strings in ui/, src/desk/ or src/kiosk/; it needs only Python 3."""
import glob, os, re, sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DOMAIN = "intake-kiosk"

# Plural-Forms for a catalogue that has none (gettext's table for these languages).
PLURAL_FORMS = {
    "fr": "nplurals=2; plural=(n > 1);",
    "pt": "nplurals=2; plural=(n != 1);",
    "es": "nplurals=2; plural=(n != 1);",
    "de": "nplurals=2; plural=(n != 1);",
    "pl": "nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);",
    "ro": "nplurals=3; plural=(n==1 ? 0 : (n==0 || (n%100 > 0 && n%100 < 20)) ? 1 : 2);",
    "ar": "nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5);",
}
DEFAULT_PLURAL_FORMS = "nplurals=2; plural=(n != 1);"
TEMPLATE_HEADER = [
    ("Project-Id-Version", "intake-kiosk"),
    ("PO-Revision-Date", "2026-11-23"),
    ("Last-Translator", "intake-kiosk developers"),
    ("Language-Team", "intake-kiosk"),
    ("MIME-Version", "1.0"),
    ("Content-Type", "text/plain; charset=UTF-8"),
    ("Content-Transfer-Encoding", "8bit"),
]

# ---------------------------------------------------------------------------------------------
# Source strings

def unescape_source(s):
    """A Slint or Rust string literal's body, unescaped (\\n, \\", \\\\, \\u{…})."""
    out, i = [], 0
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s):
            n = s[i + 1]
            if n == "u" and s[i + 2:i + 3] == "{":
                end = s.index("}", i)
                out.append(chr(int(s[i + 3:end], 16)))
                i = end + 1
                continue
            out.append({"n": "\n", "t": "\t", "r": "\r", "0": "\0"}.get(n, n))
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)

LIT = r'"((?:[^"\\]|\\.)*)"'

def extract():
    """[(msgctxt, msgid, msgid_plural or None)] in source order, without duplicates."""
    entries, seen = [], set()
    def add(ctx, msgid, plural):
        if (ctx, msgid) not in seen:
            seen.add((ctx, msgid))
            entries.append((ctx, msgid, plural))
    for path in sorted(glob.glob(os.path.join(ROOT, "ui", "**", "*.slint"), recursive=True)):
        src = open(path, encoding="utf-8").read()
        scopes = [(m.start(), m.group(2)) for m in re.finditer(r"^(export\s+)?(?:component|global)\s+(\w+)", src, re.M)]
        for m in re.finditer(r'@tr\(\s*' + LIT + r'(?:\s*\|\s*' + LIT + r'\s*%)?', src):
            ctx = [name for at, name in scopes if at < m.start()][-1]
            plural = unescape_source(m.group(2)) if m.group(2) is not None else None
            add(ctx, unescape_source(m.group(1)), plural)
    # Rust-side text: the desk's (context "desk") and the kiosk's messages (context "kiosk").
    for folder in ("desk", "kiosk"):
        for path in sorted(glob.glob(os.path.join(ROOT, "src", folder, "**", "*.rs"), recursive=True)):
            src = open(path, encoding="utf-8").read()
            plural = r'(?:\btn\(\s*[^,()"]+,|\bsay_tn\()\s*' + LIT + r'\s*,\s*' + LIT
            single = r'(?:\bt\(\s*[^,()"]+,|\bsay_t\(|\bmsgid\()\s*' + LIT
            for m in re.finditer(plural + "|" + single, src):
                if m.group(1) is not None:
                    add(folder, unescape_source(m.group(1)), unescape_source(m.group(2)))
                else:
                    add(folder, unescape_source(m.group(3)), None)
    return entries

# ---------------------------------------------------------------------------------------------
# PO files

PO_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}

def unescape_po(s):
    out, i = [], 0
    while i < len(s):
        if s[i] == "\\" and i + 1 < len(s):
            n = s[i + 1]
            if n in "01234567":
                j = i + 1
                while j < len(s) and j < i + 4 and s[j] in "01234567":
                    j += 1
                out.append(chr(int(s[i + 1:j], 8)))
                i = j
                continue
            out.append(PO_ESCAPES.get(n, n))
            i += 2
        else:
            out.append(s[i])
            i += 1
    return "".join(out)

def escape_po(s):
    return s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r")

class Entry:
    def __init__(self):
        self.ctx = None
        self.msgid = None
        self.plural = None
        self.msgstr = {}          # form index (0 for a singular) -> text
        self.flags = []
        self.comments = []        # "# …" translator comments, kept as they are
        self.obsolete = False

    def forms(self, n):
        return [self.msgstr.get(i, "") for i in range(n)]

def read_po(path):
    """(header text, [Entry]) of a .po file; ([], []) when there is none."""
    if not os.path.exists(path):
        return None, []
    entries, cur, key = [], Entry(), None
    def flush():
        nonlocal cur, key
        if cur.msgid is not None:
            entries.append(cur)
        cur, key = Entry(), None
    for number, raw in enumerate(open(path, encoding="utf-8"), 1):
        line = raw.rstrip("\n")
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].lstrip()
            if line.startswith("|"):
                continue
        stripped = line.strip()
        if not stripped:
            if cur.msgid is not None:
                flush()
            continue
        if not obsolete and stripped.startswith("#"):
            if cur.msgid is not None:
                flush()
            if stripped.startswith("#,"):
                cur.flags += [f.strip() for f in stripped[2:].split(",") if f.strip()]
            elif stripped[:2] in ("#.", "#:", "#|"):
                pass  # extracted comments, references, previous msgids: regenerated or dropped
            else:
                cur.comments.append(stripped)
            continue
        m = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+"(.*)"\s*$', stripped)
        if m:
            word = m.group(1)
            value = unescape_po(m.group(3))
            if word in ("msgctxt", "msgid") and cur.msgid is not None:
                flush()
            cur.obsolete = cur.obsolete or obsolete
            if word == "msgctxt":
                cur.ctx, key = value, "msgctxt"
            elif word == "msgid":
                cur.msgid, key = value, "msgid"
            elif word == "msgid_plural":
                cur.plural, key = value, "msgid_plural"
            else:
                index = int(m.group(2)) if m.group(2) is not None else 0
                cur.msgstr[index] = value
                key = ("msgstr", index)
            continue
        m = re.match(r'^"(.*)"\s*$', stripped)
        if m and key is not None:
            more = unescape_po(m.group(1))
            if key == "msgctxt":
                cur.ctx += more
            elif key == "msgid":
                cur.msgid += more
            elif key == "msgid_plural":
                cur.plural += more
            else:
                cur.msgstr[key[1]] += more
            continue
        sys.exit(f"{path}:{number}: not PO syntax: {raw.rstrip()}")
    flush()
    header = None
    for e in entries:
        if e.msgid == "" and e.ctx is None and not e.obsolete:
            header = e
    return header, [e for e in entries if e is not header]

def header_fields(header):
    fields = []
    if header is not None:
        for line in header.msgstr.get(0, "").split("\n"):
            if ":" in line:
                k, v = line.split(":", 1)
                fields.append((k.strip(), v.strip()))
    return fields

# Languages whose catalogue a native speaker has reviewed: {code: "name, date"}.
REVIEWED = {}

REVIEW_NOTE = [
    "# Machine-assisted translation, not yet reviewed by a native speaker. Have it reviewed",
    "# before clinical use (the consent and privacy-notice texts in src/forms/default_form.json too).",
]

def review_comments(lang, comments):
    """The header's comments with the review note first (or the reviewer's name, once reviewed)."""
    kept = [c for c in comments if c not in REVIEW_NOTE and not c.startswith("# Reviewed by a native speaker")]
    if lang in REVIEWED:
        return [f"# Reviewed by a native speaker: {REVIEWED[lang]}."] + kept
    return REVIEW_NOTE + kept

def write_header(out, fields, comments=()):
    for c in comments:
        out.write(c + "\n")
    out.write('msgid ""\nmsgstr ""\n')
    for k, v in fields:
        out.write(f'"{escape_po(k + ": " + v)}\\n"\n')
    out.write("\n")

def nplurals(fields):
    value = dict(fields).get("Plural-Forms", DEFAULT_PLURAL_FORMS)
    m = re.search(r"nplurals\s*=\s*(\d+)", value)
    return int(m.group(1)) if m else 2

def write_entry(out, e, n):
    prefix = "#~ " if e.obsolete else ""
    for c in e.comments:
        out.write(c + "\n")
    flags = [f for f in dict.fromkeys(e.flags)]
    if flags:
        out.write("#, " + ", ".join(flags) + "\n")
    if e.ctx is not None:
        out.write(f'{prefix}msgctxt "{escape_po(e.ctx)}"\n')
    out.write(f'{prefix}msgid "{escape_po(e.msgid)}"\n')
    if e.plural is not None:
        out.write(f'{prefix}msgid_plural "{escape_po(e.plural)}"\n')
        for i, text in enumerate(e.forms(n)):
            out.write(f'{prefix}msgstr[{i}] "{escape_po(text)}"\n')
    else:
        out.write(f'{prefix}msgstr "{escape_po(e.msgstr.get(0, ""))}"\n')
    out.write("\n")

# ---------------------------------------------------------------------------------------------
# Merging

def filled(e):
    return any(e.msgstr.values())

def merge(template, old, n):
    """The catalogue's entries for `template`, from `old` (msgmerge semantics, see above)."""
    by_key = {(e.ctx, e.msgid): e for e in old}
    by_id = {}
    for e in old:
        if filled(e) and "fuzzy" not in e.flags:
            by_id.setdefault(e.msgid, e)
    out, used = [], set()
    for ctx, msgid, plural in template:
        e = Entry()
        e.ctx, e.msgid, e.plural = ctx, msgid, plural
        source = by_key.get((ctx, msgid))
        if source is None or not filled(source):
            source = by_id.get(msgid, source)
        if source is not None:
            used.add(id(source))
            e.comments, e.flags = list(source.comments), [f for f in source.flags if f != "fuzzy" or filled(source)]
            if (source.plural is None) == (plural is None):
                e.msgstr = dict(source.msgstr)
            elif filled(source):
                # Singular <-> plural: keep the text for a translator to redo, never use it as is.
                text = source.msgstr.get(0, "")
                e.msgstr = {i: text for i in range(n)} if plural is not None else {0: text}
                e.flags.append("fuzzy")
        out.append(e)
    # What the template no longer has stays as obsolete entries, translations and all.
    for e in old:
        if id(e) not in used and filled(e) and not any(o.ctx == e.ctx and o.msgid == e.msgid for o in out):
            e.obsolete = True
            out.append(e)
    return out

def fill_extra(entries, lang, legacy_index, extra):
    for e in entries:
        # A given translation fills an empty entry or replaces a fuzzy guess.
        if e.obsolete or (filled(e) and "fuzzy" not in e.flags) or e.msgid not in extra:
            continue
        given = extra[e.msgid]
        if isinstance(given, dict):
            text = given.get(lang)
        elif legacy_index is not None and legacy_index < len(given):
            text = given[legacy_index]
        else:
            text = None
        if isinstance(text, (list, tuple)) and e.plural is not None:
            e.msgstr = dict(enumerate(text))
        elif isinstance(text, str) and text and e.plural is None:
            e.msgstr = {0: text}
        else:
            continue
        e.flags = [f for f in e.flags if f != "fuzzy"]

def main():
    extra = {}
    if len(sys.argv) > 1:
        scope = {}
        exec(open(sys.argv[1], encoding="utf-8").read(), scope)
        extra = scope["T"]
    template = extract()
    with open(os.path.join(HERE, f"{DOMAIN}.pot"), "w", encoding="utf-8") as pot:
        write_header(pot, TEMPLATE_HEADER)
        for ctx, msgid, plural in template:
            e = Entry()
            e.ctx, e.msgid, e.plural = ctx, msgid, plural
            write_entry(pot, e, 2)
    languages = sorted(d for d in os.listdir(HERE) if os.path.isdir(os.path.join(HERE, d, "LC_MESSAGES")))
    for lang in languages:
        path = os.path.join(HERE, lang, "LC_MESSAGES", f"{DOMAIN}.po")
        header, old = read_po(path)
        fields = header_fields(header) or TEMPLATE_HEADER + [("Language", lang)]
        keys = [k for k, _ in fields]
        if "Language" not in keys:
            fields.append(("Language", lang))
        if "Plural-Forms" not in keys:
            fields.append(("Plural-Forms", PLURAL_FORMS.get(lang, DEFAULT_PLURAL_FORMS)))
        n = nplurals(fields)
        entries = merge(template, old, n)
        legacy = ["fr", "es", "de"]
        fill_extra(entries, lang, legacy.index(lang) if lang in legacy else None, extra)
        with open(path, "w", encoding="utf-8") as po:
            write_header(po, fields, review_comments(lang, header.comments if header else ()))
            for e in entries:
                write_entry(po, e, n)
    print(f"{len(template)} strings, {len(languages)} languages")

main()
