"""Recognisers for numbers and handles that point at one person: phone, email, postcode, NHS and
NI numbers, case numbers, vehicle registrations, social-media handles and dates of birth.

Each recogniser yields (kind, start, end, reason). A number with a check is checked: an NHS number
by its modulus 11 digit, an NI number by its prefix rules, a postcode by its format (in any case,
with or without the space). The NHS, NI, postcode and vehicle patterns follow the UK recognisers
of Microsoft Presidio (MIT licence), rewritten for the ways practitioners type them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .doc import Doc
from .lexicon import Lexicon

Hit = tuple[str, int, int, str]

MONTH = r"(?:jan|feb|febr|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
ORD = r"(?:st|nd|rd|th)"
YEAR = r"(?:\d{4}|'?\d{2})(?!\d)"
# A date written any way a person writes one: 3/4/16, 3.4.2016, 16 08 2014, 2014-08-09,
# 2nd of May 2014, 1st july '16, Sept 3 2012, 12th Dec. 2010, the 21st of march 2011.
DATE = (
    rf"(?:\d{{1,2}}\s?[/.\-]\s?\d{{1,2}}\s?[/.\-]\s?{YEAR}"
    r"|\d{1,2}\s\d{1,2}\s\d{4}"
    r"|\d{4}-\d{1,2}-\d{1,2}"
    rf"|(?:the\s+)?\d{{1,2}}{ORD}?(?:\s+of)?[\s\-]+{MONTH}(?:,?[\s\-]+{YEAR})?"
    rf"|{MONTH}\s+(?:the\s+)?\d{{1,2}}{ORD}?(?:,?\s+\d{{4}})?"
    rf"|{MONTH}\s+\d{{4}})"
)
BIRTH = (
    r"(?:\bd\.?\s?o\.?\s?b\b\.?|\bdate\s+of\s+birth\b|\bbirth\s*date\b|\bborn\b|(?<![\w.])b\.(?=\s*\d)"
    r"|\bbirthday\b|\bedd\b|\bdue\s+date\b|\bbaby\s+(?:is\s+)?due\b|\bdue\s+to\s+give\s+birth\b|\bd/o/b\b)"
)
# Between "DOB" and the date: "DoB of youngest 7/1/21", "date of birth (dad) 30 Sept 1988",
# "dob given as \"the 3rd of june '87\"".
FILLER = (
    r"(?:\s*(?:[:=\-–—\"“”'‘]|\([^()\n]{0,20}\)|\b(?:is|was|on|as|of|the|given|date|now|youngest|eldest|oldest|middle|"
    r"baby|child|mum|dad|mother|father|his|her|their|written|recorded|listed|says|said|stated|shows|shown|confirmed|"
    r"actually|really|officially|per)\b|'s)\s*){0,4}\s*"
)
DOB = re.compile(rf"{BIRTH}{FILLER}(?P<date>{DATE})", re.I)

PHONE = re.compile(r"(?<![\w/+.])(?:\+\s?44\s?\(?0?\)?\s?|\(?0)(?:\d[\s\-.)]{0,2}){8,10}\d\b")
EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
PUBLIC_MAILBOXES = {
    "enquiries", "enquiry", "info", "help", "helpline", "contact", "advice", "admin", "complaints", "press",
    "foi", "dpo", "privacy", "support", "hello", "team", "office", "feedback", "media", "webmaster", "noreply",
    "no-reply", "dataprotection", "information",
}  # fmt: skip
POSTCODE = re.compile(r"(?<![\w/])([A-Za-z]{1,2}\d[A-Za-z\d]?)\s?(\d[A-Za-z]{2})(?![\w/])")
POSTCODE_OUTWARD = re.compile(r"^(?:[A-Z]\d|[A-Z]\d\d|[A-Z]{2}\d|[A-Z]{2}\d\d|[A-Z]\d[A-Z]|[A-Z]{2}\d[A-Z])$")
POSTCODE_INWARD = re.compile(r"^\d[ABD-HJLNP-UW-Z]{2}$")
NHS = re.compile(r"(\d(?<![\w\-/.]\d)\d\d)[\s\-]?(\d{3})[\s\-]?(\d{4})(?![\w\-/]|\.\d)")
NHS_CONTEXT = re.compile(r"\bnhs\b[^\n]{0,25}$", re.I)
NI = re.compile(
    r"(?<![\w])(?!bg|gb|nk|kn|tn|nt|zz)([a-ceghj-pr-tw-z][a-ceghj-npr-tw-z])\s?(\d{2})\s?(\d{2})\s?(\d{2})\s?([a-d])?(?!\w)",
    re.I,
)
NI_CONTEXT = re.compile(r"\b(?:ni|n\.i\.?|nino|national\s+insurance)\b[^\n]{0,30}$", re.I)
# Digits first (a letter class at every position is slow); the two letters before are checked after.
# The digits come first in each pattern, so that the scan can skip to them; what must come before is
# checked by a look behind after them.
CASE_NUMBER = re.compile(r"\d(?<!\d\d)\d(?:(?<=[A-Za-z]{2}\d\d)|(?<=[A-Za-z]{2}\s\d\d))\s?[A-Za-z]\s?\d{5,6}(?![\w/])")
CCD = re.compile(r"\d(?<![\d\-]\d)\d{3}[\s\-]\d{4}[\s\-]\d{4}[\s\-]\d{4}(?![\d\-])")
REFERENCE = re.compile(
    r"\b(?:case\s*(?:no\.?|number|num|ref(?:erence)?\.?|id)|ref(?:erence)?(?:\s*no)?\.?|claim\s*no\.?|file\s*(?:no|ref)\.?"
    r"|ccd(?:\s*(?:ref|case|no\.?|number))?|mosaic|lcs|liquidlogic|eclipse|care\s*first|frameworki|ics)"
    r"(?:\s+(?:for|of|on|this|that|one|the|our|their|la|court|is|was|number|no\.?)){0,5}\s*[:#\-–]?\s*"
    r"(?P<ref>[A-Za-z0-9][A-Za-z0-9/\-]*\d[A-Za-z0-9/\-]*)",
    re.I,
)
VEHICLE_NOW = re.compile(r"\d(?<!\d\d)\d(?:(?<=[A-Za-z]{2}\d\d)|(?<=[A-Z]{2}\s\d\d))\s?[A-Za-z]{3}(?![\w/])")
VEHICLE_OLD = re.compile(r"(?<![\w/])(?:[A-Z]\d{1,3}\s?[A-Z]{3}|[A-Z]{3}\s?\d{1,3}[A-Z])(?![\w/])")
VEHICLE_CONTEXT = re.compile(
    r"\b(?:car|van|reg|registration|plate|plates|drives|driving|vehicle|taxi|motorbike|bike|audi|bmw|ford|corsa|"
    r"golf|astra|merc|mercedes|vauxhall|transit|4x4|jeep|lorry|truck)\b[^\n]{0,40}$",
    re.I,
)
VEHICLE_WORDS = frozenset(
    {"car", "van", "reg", "registration", "plate", "plates", "drives", "driving", "vehicle", "taxi", "motorbike",
     "bike",
     "audi", "bmw", "ford", "corsa", "golf", "astra", "merc", "mercedes", "vauxhall", "transit", "jeep", "lorry",
     "truck"}
)  # fmt: skip
HANDLE = re.compile(r"(?<![\w.@/])@[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?")
PLATFORM = (
    r"(?:facebook|fb|insta|instagram|ig|tiktok|tik\s?tok|snap|snapchat|twitter|x|youtube|whatsapp|telegram|"
    r"discord|onlyfans|threads|twitch|reddit|kik|roblox|xbox|psn|steam)"
)
PLATFORM_NAME = re.compile(
    rf"\b{PLATFORM}\b(?:\s+(?:name|handle|account|page|group|channel|profile|username|user\s*name|user|id))?\s*(?:is|as|called|named|:|-|–)?\s*"
    r"(?P<name>['‘\"“][^'’\"”\n]{2,60}['’\"”]|[a-z0-9_.]*[_\d.][a-z0-9_.]*[a-z0-9_]|@\S+)",
    re.I,
)
DIGIT_PAIRS = re.compile(r"\d\d\s?\d\d\s?\d\d")
BIRTH_WORDS = frozenset({"dob", "d", "born", "birth", "birthday", "edd", "due", "b", "date", "baby"})
REFERENCE_WORDS = frozenset(
    {
        "case",
        "ref",
        "reference",
        "claim",
        "file",
        "ccd",
        "mosaic",
        "lcs",
        "liquidlogic",
        "eclipse",
        "care",
        "frameworki",
        "ics",
    }
)
PLATFORMS = frozenset(
    {"facebook", "fb", "insta", "instagram", "ig", "tiktok", "tik", "snap", "snapchat", "twitter", "x", "youtube",
     "whatsapp",
     "telegram", "discord", "onlyfans", "threads", "twitch", "reddit", "kik", "roblox", "xbox", "psn", "steam"}
)  # fmt: skip
PROFILE_URL = re.compile(
    r"\b(?:https?://)?(?:www\.)?(?:facebook|fb|instagram|tiktok|twitter|x|youtube|snapchat|linkedin)\.com/[^\s)\]]+",
    re.I,
)


def nhs_valid(digits: str) -> bool:
    if len(digits) != 10 or len(set(digits)) == 1:
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


def phones(doc: Doc, lex: Lexicon) -> Iterator[Hit]:
    text = doc.text
    for m in PHONE.finditer(text):
        digits = re.sub(r"\D", "", m.group(0))
        if digits.startswith("44"):
            digits = "0" + digits[2:]
        if not 10 <= len(digits) <= 11 or digits.startswith(lex.public_number_prefixes):
            continue
        yield "phone", m.start(), m.end(), "a phone number"


def emails(doc: Doc, lex: Lexicon) -> Iterator[Hit]:
    text = doc.text
    if "@" not in text:
        return
    for m in EMAIL.finditer(text):
        if m.group(0).split("@")[0].lower() in PUBLIC_MAILBOXES:
            continue
        yield "email", m.start(), m.end(), "an email address"


def postcodes(doc: Doc, lex: Lexicon) -> Iterator[Hit]:
    text = doc.text
    for m in POSTCODE.finditer(text):
        outward, inward = m.group(1).upper(), m.group(2).upper()
        if not (POSTCODE_OUTWARD.match(outward) and POSTCODE_INWARD.match(inward)):
            continue
        if re.fullmatch(r"1ST|2ND|3RD|[04-9]TH", inward) or outward + inward in lex.public_postcodes:
            continue
        yield "postcode", m.start(), m.end(), "a postcode"


def nhs_numbers(doc: Doc, lex: Lexicon) -> Iterator[Hit]:
    text = doc.text
    for m in NHS.finditer(text):
        digits = "".join(m.groups())
        if nhs_valid(digits):
            yield "nhs_number", m.start(), m.end(), "a ten-digit number that passes the NHS number check"
        elif "nhs" in doc.lowset and NHS_CONTEXT.search(text, max(0, m.start() - 30), m.start()):
            yield "nhs_number", m.start(), m.end(), "a ten-digit number after 'NHS'"


def ni_numbers(doc: Doc, lex: Lexicon) -> Iterator[Hit]:
    text = doc.text
    if not DIGIT_PAIRS.search(text):
        return
    for m in NI.finditer(text):
        if m.group(5) or NI_CONTEXT.search(text, max(0, m.start() - 40), m.start()):
            yield "ni_number", m.start(), m.end(), "a National Insurance number"


def case_numbers(doc: Doc, lex: Lexicon) -> Iterator[Hit]:
    text = doc.text
    for m in CASE_NUMBER.finditer(text):
        start = m.start() - (3 if text[m.start() - 1].isspace() else 2)
        if start == 0 or not (text[start - 1].isalnum() or text[start - 1] in "/_"):
            yield "case_number", start, m.end(), "a family court case number"
    for m in CCD.finditer(text):
        yield "case_number", m.start(), m.end(), "a sixteen-digit case reference"
    starts = [doc.words[n][0] for n in doc.where(REFERENCE_WORDS)]
    for m in (m for start in starts if (m := REFERENCE.match(text, start))):
        ref = m.group("ref")
        if sum(c.isdigit() for c in ref) >= 4 and not re.fullmatch(r"(?:19|20)\d\d", ref):
            yield "case_number", m.start("ref"), m.end("ref"), "a reference number"


def vehicles(doc: Doc, lex: Lexicon) -> Iterator[Hit]:
    text = doc.text
    if not doc.has_digits:
        return
    for m in VEHICLE_NOW.finditer(text):
        start = m.start() - (3 if text[m.start() - 1] == " " else 2)
        if start and (text[start - 1].isalnum() or text[start - 1] in "/_"):
            continue
        if text[start : m.end()].isupper() or VEHICLE_CONTEXT.search(text, max(0, start - 45), start):
            yield "vehicle_registration", start, m.end(), "a vehicle registration"
    for n in doc.where(VEHICLE_WORDS):  # an older plate ("R342 HWB") only where a vehicle is mentioned
        start = doc.words[n][1]
        for m in VEHICLE_OLD.finditer(text, start, start + 45):
            yield "vehicle_registration", m.start(), m.end(), "a vehicle registration"


def social_media(doc: Doc, lex: Lexicon) -> Iterator[Hit]:
    text = doc.text
    for m in HANDLE.finditer(text) if "@" in text else ():
        if m.group(0).lower().rstrip(".") not in lex.public_handles:
            yield "social_media", m.start(), m.end(), "a social-media handle"
    for m in PLATFORM_NAME.finditer(text) if doc.has_any(PLATFORMS) else ():
        name = m.group("name")
        if name.lower().rstrip(".") in lex.public_handles or re.fullmatch(r"[\d.]+", name):
            continue
        yield "social_media", m.start("name"), m.end("name"), f"a name on {m.group(0).split()[0]}"
    for m in PROFILE_URL.finditer(text) if ".com/" in text.lower() else ():
        yield "social_media", m.start(), m.end(), "a social-media profile"


def dates_of_birth(doc: Doc, lex: Lexicon) -> Iterator[Hit]:
    text = doc.text
    for n in doc.where(BIRTH_WORDS):
        if not (m := DOB.match(text, doc.words[n][0])):
            continue
        yield "date_of_birth", m.start(), m.end("date"), "a date after 'born', 'DOB' or 'due'"


RECOGNISERS = (emails, phones, nhs_numbers, ni_numbers, postcodes, case_numbers, vehicles, social_media, dates_of_birth)
