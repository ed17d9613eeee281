"""Merge a POT into a PO file, keeping translations; print how many terms are untranslated."""

import sys

import polib

pot_path, po_path = sys.argv[1], sys.argv[2]
pot = polib.pofile(pot_path)
try:
    old = {entry.msgid: entry.msgstr for entry in polib.pofile(po_path) if entry.msgstr}
except OSError:
    old = {}
po = polib.POFile(wrapwidth=78)
po.metadata = {
    "Project-Id-Version": "Odoo Server 18.0",
    "Language": "ru",
    "MIME-Version": "1.0",
    "Content-Type": "text/plain; charset=UTF-8",
    "Content-Transfer-Encoding": "8bit",
    "Plural-Forms": "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && "
    "(n%100<10 || n%100>=20) ? 1 : 2);",
}
missing = 0
for entry in pot:
    entry.msgstr = old.get(entry.msgid, "")
    missing += not entry.msgstr
    po.append(entry)
po.save(po_path)
print(f"{po_path}: {len(po)} terms, {missing} untranslated")
