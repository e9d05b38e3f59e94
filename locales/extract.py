#!/usr/bin/env python3
"""Extracts every @tr("…") from ui/**/*.slint with its component as msgctxt (what Slint looks up),
and every t(lang, "…") / say_t("…") from src/desk/ under msgctxt "desk" (src/i18n.rs looks them up),
writes locales/intake-kiosk.pot, and merges it into each locales/<lang>/LC_MESSAGES/intake-kiosk.po,
keeping existing translations. Optional: a Python file defining T = {english: (fr, es, de)} as argv[1]
fills entries that are still empty. Run it after changing strings in ui/.
Every catalogue's header says it is machine-assisted until a native speaker has reviewed it: when
one has, put their name in REVIEWED (and in the README's list)."""
import glob, os, re, sys

LANGS = ["fr", "es", "de", "pl", "ro", "pt", "ar"]
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

# Languages whose catalogue a native speaker has reviewed: {code: "name, date"}.
REVIEWED = {}

def review_note(lang):
    if lang in REVIEWED:
        return f"# Reviewed by a native speaker: {REVIEWED[lang]}.\n"
    return ("# Machine-assisted translation, not yet reviewed by a native speaker. Have it reviewed\n"
            "# before clinical use (the consent and privacy-notice texts in src/forms/default_form.json too).\n")

def esc(s):
    return s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")

def extract():
    entries = []
    for path in sorted(glob.glob(os.path.join(ROOT, "ui", "**", "*.slint"), recursive=True)):
        src = open(path, encoding="utf-8").read()
        scopes = [(m.start(), m.group(2)) for m in re.finditer(r"^(export\s+)?(?:component|global)\s+(\w+)", src, re.M)]
        for m in re.finditer(r'@tr\("((?:[^"\\]|\\.)*)"', src):
            ctx = [name for at, name in scopes if at < m.start()][-1]
            msgid = m.group(1).encode().decode("unicode_escape").encode("latin-1").decode("utf-8")
            if (ctx, msgid) not in entries:
                entries.append((ctx, msgid))
    # Rust-side text of the desk: every t(lang, "…") and say_t("…") in src/desk/, context "desk".
    for path in sorted(glob.glob(os.path.join(ROOT, "src", "desk", "**", "*.rs"), recursive=True)):
        src = open(path, encoding="utf-8").read()
        for m in re.finditer(r'(?:\bt\(\s*[^,()"]+,|\bsay_t\()\s*"((?:[^"\\]|\\.)*)"', src):
            msgid = m.group(1).encode().decode("unicode_escape").encode("latin-1").decode("utf-8")
            if ("desk", msgid) not in entries:
                entries.append(("desk", msgid))
    return entries

def read_po(path):
    found = {}
    if not os.path.exists(path):
        return found
    ctx = msgid = None
    for line in open(path, encoding="utf-8"):
        for key in ("msgctxt", "msgid", "msgstr"):
            if line.startswith(key + " "):
                value = line[len(key) + 1:].strip()[1:-1].replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")
                if key == "msgctxt": ctx = value
                elif key == "msgid": msgid = value
                elif ctx is not None: found[(ctx, msgid)] = value
    return found

def main():
    extra = {}
    if len(sys.argv) > 1:
        scope = {}
        exec(open(sys.argv[1], encoding="utf-8").read(), scope)
        extra = scope["T"]
    entries = extract()
    header = ('msgid ""\nmsgstr ""\n"Project-Id-Version: intake-kiosk\\n"\n"PO-Revision-Date: 2026-11-23\\n"\n'
              '"Last-Translator: intake-kiosk developers\\n"\n"Language-Team: intake-kiosk\\n"\n"MIME-Version: 1.0\\n"\n'
              '"Content-Type: text/plain; charset=UTF-8\\n"\n"Content-Transfer-Encoding: 8bit\\n"\n')
    with open(os.path.join(HERE, "intake-kiosk.pot"), "w", encoding="utf-8") as pot:
        pot.write(header + "\n")
        for ctx, msgid in entries:
            pot.write(f'msgctxt "{esc(ctx)}"\nmsgid "{esc(msgid)}"\nmsgstr ""\n\n')
    for i, lang in enumerate(LANGS):
        path = os.path.join(HERE, lang, "LC_MESSAGES", "intake-kiosk.po")
        old = read_po(path)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as po:
            po.write(review_note(lang) + header + f'"Language: {lang}\\n"\n\n')
            for ctx, msgid in entries:
                # A string moved to another component keeps its translation.
                moved = next((t for (c, m), t in old.items() if m == msgid and t), "")
                text = old.get((ctx, msgid)) or moved or (extra[msgid][i] if msgid in extra and i < len(extra[msgid]) else "")
                po.write(f'msgctxt "{esc(ctx)}"\nmsgid "{esc(msgid)}"\nmsgstr "{esc(text)}"\n\n')
    print(f"{len(entries)} strings")

main()
