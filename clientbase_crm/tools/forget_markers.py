"""What identifies a forgotten client in free text: its names, email addresses and phone numbers,
as PostgreSQL regular expressions (and their Python twins for a text not yet stored).

A phone number matches whatever its formatting: its last ten digits with any spaces, dashes, dots
or brackets between them, not inside a longer number. An email address matches case-insensitively.
A name matches as a whole (case-insensitively) and only when it is long enough to identify someone;
in the records linked to the client each word of its name matches too (not the legal forms).
"""

import re

MIN_NAME_LENGTH = 5
MIN_WORD_LENGTH = 3
# words of company names that name no one
LEGAL_FORMS = frozenset(
    """llc ltd inc corp company co gmbh ooo ооо зао оао пао ао ип нко group holding trade
    торговый дом компания the and""".split()
)
PHONE_DIGITS = 10
PHONE_SEPARATORS = r"[\s().-]*"
FORGOTTEN_TEXT = "[forgotten]"


def _escape(text):
    # re.escape escapes only punctuation with a backslash, which PostgreSQL's advanced regular
    # expressions read as the literal character as well
    return re.escape(text)


def phone_pattern(number):
    digits = re.sub(r"\D", "", number or "")
    if len(digits) < 7:
        return None
    digits = digits[-PHONE_DIGITS:]
    return r"(?<![0-9])" + PHONE_SEPARATORS.join(digits) + r"(?![0-9])"


def email_pattern(email):
    email = (email or "").strip()
    return _escape(email) if "@" in email else None


def name_pattern(name):
    """The whole name, whatever the spacing."""
    name = " ".join((name or "").split())
    if len(name) < MIN_NAME_LENGTH:
        return None
    return r"\s+".join(_escape(word) for word in name.split(" "))


def name_word_patterns(name):
    """Each word of the name that identifies (not a legal form, three letters at least), as a
    whole word: in a record about the client, "Smirnova" alone names her."""
    words = {word for word in re.split(r"[\W_]+", name or "") if len(word) >= MIN_WORD_LENGTH}
    # not inside a word, an address or a dotted technical name ("res.partner", "mail.mt_note")
    before, after = r"(?<![\w@.-])", r"(?![\w@-]|\.\w)"
    return [before + _escape(word) + after for word in sorted(words) if word.casefold() not in LEGAL_FORMS]


def join_patterns(patterns):
    patterns = sorted({p for p in patterns if p})
    return "(" + "|".join(patterns) + ")" if patterns else None


def redact(text, pattern):
    """``text`` with every match of ``pattern`` (case-insensitive) replaced."""
    if not text or not pattern:
        return text
    return re.sub(pattern, FORGOTTEN_TEXT, text, flags=re.IGNORECASE)
