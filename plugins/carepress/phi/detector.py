"""Find HIPAA Safe Harbor identifiers (45 CFR 164.514(b)(2)) in page text.

A hospital that publishes a patient's name next to an admission date has a
breach, so every page is scanned before it is built. Authors only keep
trusting the scan if it is precise: an article about Parkinson's disease,
World Health Day on April 7 or "adults aged 90 and older" must come back
clean, while "my son Diego", "admitted March 3, 2025" and "(217) 555-2368"
must not slip through.

How it works (one pass):

1. ONE compiled candidate pattern, an alternation of named branches, finds
   every span that could be an identifier. Every candidate starts at a
   digit, a capital letter or one of ( + @ . : / #, so the pattern opens
   with that character class and ``re`` skips lower-case prose in C.
   Identifiers that a keyword introduces ("MRN 00123456") are anchored on
   their digits, not on the keyword. There are two compilations of the
   same parts: patient stories add the name branches that articles never
   need. Both are compiled once per process.
2. Each candidate goes to the handler its branch names. Only there do the
   costly checks run: ``phonenumbers`` parsing, check digits, and looking
   for context words ("admitted", "fax", "member ID", "and older") in a
   small window around the span.
3. Overlapping hits are resolved (errors before warnings, longer spans
   first) and returned sorted by offset.

No library knows Safe Harbor, hospital pages or the traps of health
writing, so the patterns, word lists and context rules below are written by
hand; each block says what it stands for. Phone numbers are the exception:
``phonenumbers`` decides which digit runs are real numbers.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import phonenumbers

__all__ = ["PhiContext", "PhiHit", "scan", "line_col", "KINDS"]

KINDS: tuple[str, ...] = (
    "name", "date", "age", "address", "zip", "phone", "fax", "email", "ssn", "mrn",
    "health-plan", "account", "license", "vehicle", "device", "url", "handle", "ip", "id",
)  # fmt: skip


@dataclass(frozen=True)
class PhiContext:
    """What the scanner knows about the page it is looking at."""

    # True for patient stories (and text marked as about a patient).
    patient_context: bool = False
    # Consented first names for this page only, e.g. {"Rosa"}.
    allowed_names: frozenset[str] = frozenset()
    # Full names of staff from policy (bylines), e.g. {"Alex Placeholder"}.
    staff_names: frozenset[str] = frozenset()
    # E.164 numbers that are public: hospital lines, agency hotlines.
    allowed_phones: frozenset[str] = frozenset()
    # The hospital's public addresses.
    allowed_emails: frozenset[str] = frozenset()
    # The hospital's own street address lines, e.g. "100 Example Way".
    allowed_addresses: tuple[str, ...] = ()
    # Domains whose URLs are not personal (hospital site, agencies).
    allowed_domains: frozenset[str] = frozenset()
    # Default region for phone numbers written without a country code.
    region: str = "US"


@dataclass(frozen=True)
class PhiHit:
    """One identifier found in the text; offsets are characters, end exclusive.

    The rule id of a hit is ``"phi." + kind``.
    """

    kind: str  # one of KINDS
    start: int
    end: int
    severity: str  # "error" or "warning"
    message: str  # what was found, quoting it
    hint: str  # how to fix it


def line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of ``offset`` in ``text``."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


# --------------------------------------------------------------------------
# Hints: how an author fixes each kind of hit.
# --------------------------------------------------------------------------

_SUPPRESS = " If the patient gave written consent for this, ask the privacy reviewer for a suppression."
_HINTS: dict[str, str] = {
    "name": "Remove the name, or use only the first name the consent covers; relatives need their own consent.",
    "date": "Generalise the date: keep the year or say 'in the spring' or 'last year'.",
    "age": "Ages over 89 identify a person: write '90 or older'.",
    "address": "Remove the street address; Safe Harbor allows nothing smaller than the state.",
    "zip": "Remove the ZIP code; Safe Harbor allows at most the first three digits, never a restricted prefix.",
    "phone": "Remove the number. If it is a hospital or agency line, add it to the public numbers in policy.",
    "fax": "Remove the fax number. If it is a hospital line, add it to the public numbers in policy.",
    "email": "Remove the address. If it is a hospital address, add it to the public addresses in policy.",
    "ssn": "Remove the Social Security number.",
    "mrn": "Remove the medical record number.",
    "health-plan": "Remove the health plan or member number.",
    "account": "Remove the account number.",
    "license": "Remove the licence or certificate number.",
    "vehicle": "Remove the vehicle identifier or licence plate.",
    "device": "Remove the device identifier or serial number.",
    "url": "Remove the personal link.",
    "handle": "Remove the social media handle.",
    "ip": "Remove the IP address.",
    "id": "Remove the identifying number or code.",
}
_HINTS = {k: v + _SUPPRESS for k, v in _HINTS.items()}

# --------------------------------------------------------------------------
# Word lists (hand-written: no library lists the traps of health writing).
# --------------------------------------------------------------------------


def _words(block: str) -> list[str]:
    return block.split()


# Capitalised words that are never a person's first or last name in a
# patient story: sentence openers, pronouns, calendar words, titles.
_NOT_NAME_WORDS = frozenset(
    _words(
        """
A About Above Across After Afterward Afterwards Again Against Ago All Almost Along Already Also
Although Always Am Among An And Another Any Anyone Anything Are Around As Ask At Away Back Be
Because Been Before Being Below Best Better Between Both But By Can Could Dear Did Do Does Doing
Done Down During Each Early Either Else Even Ever Every Everyone Everything Few Finally First
For From Further Get Gets Getting Give Go Going Good Got Had Has Have Having He Hello Her Here
Hers Herself Hi Him Himself His Home How However I If In Inside Instead Into Is It Its Just Keep
Last Later Less Let Like Little Long Look Lots Made Make Many May Maybe Me Meanwhile Might More
Most Much Must My Myself Near Never New Next No None Nor Not Nothing Now Of Off Often Oh Ok Okay
On Once One Only Or Other Others Our Ours Out Over Own Part Per Perhaps Please Quite Rather
Really Right Said Same See She Should Since So Some Someone Something Sometimes Soon Still Such
Sure Take Than Thank Thanks That The Their Them Then There These They This Those Though Through
Thus To Today Together Tomorrow Tonight Too Toward Towards Twice Under Until Up Upon Us Very Was
We Well Were What Whatever When Whenever Where Whether Which While Who Whole Whom Whose Why Will
With Within Without Would Yes Yesterday Yet You Your Yours Yourself Two Three Four Five Six
Seven Eight Nine Ten Eleven Twelve Twenty Hundred Thousand Second Third Call Read Learn Find
Watch Visit Follow Share Join Sign Contact Talk Try Tell Use Stop Start Mom Dad Mum Mother
Father Grandma Grandpa Grandmother Grandfather Nana Papa Aunt Uncle Baby Patient Patients Doctor Doctors Dr Nurse
Nurses Chaplain Coach Pastor Father Sister Brother Mr Mrs Ms Miss Mx Monday Tuesday Wednesday
Thursday Friday Saturday Sunday January February March April June July August September October
November December Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec Spring Summer Fall Autumn
Winter Christmas Easter Thanksgiving Halloween Passover Ramadan Hanukkah Eid Diwali Lunar Labor
Memorial Independence Valentine Valentines Mother's Father's Year Years Day Days Week Weeks
Month Months Eve Morning Afternoon Evening Night God Lord Jesus Bible Church Mass English
Spanish Latino Latina Black White Asian Native
"""
    )
)

# Second (or third) words that make a capitalised pair an organisation, a
# place, a programme or a condition rather than a person.
_ORG_WORDS = frozenset(
    _words(
        """
Hospital Hospitals Health Healthcare Medical Medicine Center Centre Centers Clinic Clinics Care
Institute Foundation Association Society Department Dept Unit Units Ward Wing Floor Room Rooms
Emergency Intensive Services Service Program Programs Programme Team Teams Group Network System
Systems Office Lab Laboratory Pharmacy Rehab Rehabilitation Hospice Home Homes University
College School Schools Academy Library Church Chapel Temple Mosque Synagogue Company Inc Corp
LLC Co Bank Market Store Shop Cafe Restaurant Hotel Inn Airport Station Stadium Arena Mall Plaza
Gym YMCA YWCA Club League Council Board Committee Coalition Alliance Partnership Project
Initiative Fund Trust Agency Administration Bureau Commission Authority Court Police Fire Army
Navy Corps County City Town Township Village State States Province District Region Valley River
Lake Creek Mountain Mountains Hill Hills Park Parks Forest Beach Bay Island Islands Springs
Falls Heights Street Avenue Road Boulevard Lane Drive Way Place Highway Route Trail Square
Bridge North South East West Northern Southern Eastern Western Central Upper Lower Greater Metro
Disease Diseases Syndrome Disorder Disorders Lymphoma Sarcoma Tumor Tumour Cancer Palsy Score
Scale Test Criteria Classification Sign Maneuver Manoeuvre Procedure Operation Protocol Heart
Lung Kidney Liver Brain Stroke Diabetes Cardiology Oncology Neurology Pediatrics Paediatrics
Surgery Radiology Orthopedics Obstetrics Gynecology Psychiatry Psychology Nursing Day Week Month
Awareness Month's Walk Run Race Marathon Challenge Campaign Drive Fair Festival Act Law Rule
Plan Plans Insurance Medicare Medicaid Marketplace Survey Study Trial Report Journal Review
Guidelines Guideline Statement Update News Times Post Press Magazine Radio Television TV
American America National International World Global United Kingdom Canada Canadian Federal
Children's Childrens Women's Womens Men's Veterans Family Families Community Public Memorial
General Regional Saint St Mount Mt Our Lady Mercy Providence Baptist Methodist Presbyterian
Lutheran Catholic Adventist Jewish Kaiser Permanente Mayo Clinic Cleveland Johns Hopkins Red
Cross Blue Shield Scouts Girl Boy Portal Account Financial Safety Advocate Advocacy Experience
Relations Education Navigator Navigation Access Transport Transportation Support Rights
Representative Liaison Registration Information Intake Billing Records Guide Handbook Stories Story
Voices Council Advisory Social Security Portal MyChart App
"""
    )
)

# Eponyms: people's names that name diseases, tests and scores. A pair that
# contains one ("Hodgkin Lymphoma", "Guillain-Barré Syndrome") is medicine.
_EPONYMS = frozenset(
    _words(
        """
Alzheimer Angelman Apgar Asperger Babinski Barré Burkitt Charcot Creutzfeldt Crohn Cushing
Danlos Duchenne Dupuytren Ehlers Epley Ewing Fallot Gaucher Gehrig Guillain Guillain-Barré
Hashimoto Heimlich Hirschsprung Hodgkin Huntington Kaposi Kawasaki Klinefelter Korsakoff Lewy
Lyme Marfan Meckel Meniere Ménière Munchausen Noonan Osgood Pap Parkinson Perthes Peyronie
Prader Raynaud Reye Rett Schlatter Sjogren Sjögren Tourette Valsalva Wernicke Wilms Zollinger
Trendelenburg Brudzinski Framingham Karnofsky Heimlich Medicare Medicaid
"""
    )
)

# Eponyms that are also common surnames (Bell's palsy, Graves' disease,
# Turner syndrome): medicine only in the possessive or before a medical
# noun, otherwise possibly a patient's name.
_EPONYM_SURNAMES = frozenset(
    _words(
        """
Addison Barr Barrett Bell Bishop Braden Breslow Bright Conn Down Ellison Epstein Glasgow Gleason
Graves Hansen Heberden Homan Homans Jakob Kaplan Kernig Legg Likert Lou Lown Mallory Marie
McBurney Meier Murphy Paget Rinne Romberg Sachs Sheehan Snellen Tanner Tay Turner Weber Weiss
Wells Whipple Willi Wilson Wolff
"""
    )
)

# "my son Diego": relatives whose name in a story is a patient identifier.
_RELATIONS = (
    "son|daughter|wife|husband|mother|mom|mum|mama|father|dad|papa|brother|sister|sibling|"
    "grandson|granddaughter|grandchild|grandmother|grandma|grandfather|grandpa|nana|"
    "great-grandson|great-granddaughter|great-grandchild|great-grandmother|great-grandfather|"
    "partner|fianc[ée]e?|boyfriend|girlfriend|spouse|aunt|uncle|niece|nephew|cousin|"
    "baby|babies|twins?|child|children|kids?|toddler|infant|newborn|stepson|stepdaughter|"
    "stepmother|stepfather|sister-in-law|brother-in-law|mother-in-law|father-in-law|"
    "roommate|housemate|boss|employer"
)

# People and bodies that publish public hotlines; never a patient's line.
# E.164 forms. (Poison Help, 988 and 911 themselves are too short to match.)
_PUBLIC_HOTLINES = frozenset({
    "+18002221222",  # Poison Help
    "+18002738255",  # former National Suicide Prevention Lifeline
    "+18006624357",  # SAMHSA National Helpline
    "+18007997233",  # National Domestic Violence Hotline
    "+18009855990",  # Disaster Distress Helpline
    "+18002324636",  # CDC-INFO
    "+18007848669",  # 1-800-QUIT-NOW
    "+18004224453",  # Childhelp
    "+18006564673",  # RAINN
})  # fmt: skip

# Hosts where a path names one person: a profile, a blog, a fundraiser.
_PERSONAL_HOSTS = frozenset(
    _words(
        """
facebook.com fb.com m.facebook.com instagram.com twitter.com x.com tiktok.com linkedin.com
youtube.com threads.net threads.com pinterest.com snapchat.com reddit.com medium.com
gofundme.com caringbridge.org substack.com tumblr.com linktr.ee bsky.app mastodon.social
patreon.com venmo.com paypal.me cash.app twitch.tv flickr.com vimeo.com
"""
    )
)
_PERSONAL_HOST_SUFFIXES = (
    ".blogspot.com", ".wordpress.com", ".github.io", ".tumblr.com", ".substack.com", ".wixsite.com",
    ".squarespace.com", ".weebly.com", ".bsky.social",
)
# Paths on those hosts that are pages of the site itself, not of a person.
_NON_PERSONAL_PATHS = frozenset(
    ["about", "help", "legal", "privacy", "terms", "policies", "watch", "results", "search", "hashtag", "explore", "groups", "events", "pages", "share", "sharer", "sharer.php", "intent", "embed"]
)

_STATE_ABBR = (
    "AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|"
    "NM|NY|NC|ND|OH|OK|OR|PA|PR|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|GU|VI|AS|MP"
)
_STATE_NAMES = (
    "Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|Florida|Georgia|"
    "Hawaii|Idaho|Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|Maryland|Massachusetts|"
    "Michigan|Minnesota|Mississippi|Missouri|Montana|Nebraska|Nevada|New Hampshire|New Jersey|"
    "New Mexico|New York|North Carolina|North Dakota|Ohio|Oklahoma|Oregon|Pennsylvania|"
    "Rhode Island|South Carolina|South Dakota|Tennessee|Texas|Utah|Vermont|Virginia|Washington|"
    "West Virginia|Wisconsin|Wyoming|Puerto Rico"
)

# States that are not also common first names or surnames ("Virginia",
# "Georgia", "Washington" are): places, never a patient.
_ORG_WORDS = _ORG_WORDS | frozenset(
    _words(
        """
Alabama Alaska Arizona Arkansas California Colorado Connecticut Delaware Hawaii Idaho Illinois
Iowa Kansas Kentucky Louisiana Maine Maryland Massachusetts Michigan Minnesota Mississippi
Missouri Nebraska Nevada Ohio Oklahoma Oregon Pennsylvania Tennessee Texas Utah Vermont Wisconsin
Wyoming Mexico Jersey Hampshire Rico
"""
    )
)

# Safe Harbor: 3-digit ZIP prefixes covering 20,000 people or fewer (Census
# 2000 list, as HHS publishes it) must be replaced by 000.
RESTRICTED_ZIP3 = frozenset(
    ["036", "059", "063", "102", "203", "205", "369", "556", "692", "790", "821", "823", "830", "831", "878", "879", "884", "890", "893"]
)

_MONTH_NUMBERS: dict[str, int] = {}
for _i, _names in enumerate(
    ("January Jan", "February Feb", "March Mar", "April Apr", "May", "June Jun", "July Jul",
     "August Aug", "September Sep Sept", "October Oct", "November Nov", "December Dec"),
    start=1,
):  # fmt: skip
    for _n in _names.split():
        _MONTH_NUMBERS[_n] = _i

# --------------------------------------------------------------------------
# The candidate pattern. Each branch ends in an empty named group that names
# its handler; nothing else is captured (handlers re-read a candidate with
# a small pattern of their own).
# --------------------------------------------------------------------------

_MONTH_ABBR = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
_UP = "A-ZÀ-ÖØ-Þ"
_LO = "a-zß-öø-ÿ"
_NAME = rf"[{_UP}][{_LO}]+(?:[-'’][{_UP}][{_LO}]+)?"
_STREET_TYPES = (
    r"Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|"
    r"Terrace|Ter|Circle|Cir|Parkway|Pkwy|Highway|Hwy|Trail|Trl|Square|Sq|Alley|Loop|Pike|"
    r"Crossing|Xing|Row|Path|Plaza"
)

# Identifiers introduced by a keyword ("MRN 00123456", "member ID
# ABC123456"). The scan anchors on the code, which holds digits and is
# rare, and looks back at the words before it: anchoring on dozens of
# keywords would cost a check at every word of every page. Keys are the
# keyword's words, lower case; the flag says whether the keyword needs a
# "number", "no.", "#", "ID" or ":" after it ("member 123" is not enough).
_KEYWORD_PHRASES: dict[tuple[str, ...], tuple[str, bool]] = {}
for _kind, _needs_suffix, _phrases in (
    ("mrn", False, "mrn|medical record|medical records|mr#"),
    ("mrn", True, "chart|patient|hospital|record|records"),
    ("health-plan", False, "mbi|medicare beneficiary identifier"),
    ("health-plan", True, "member|subscriber|policy|group|insurance|medicare|medicaid|"
                          "beneficiary|health plan|plan|insurance policy"),
    ("account", False, "acct"),
    ("account", True, "account|billing|claim|invoice|bill"),
    ("vehicle", False, "vin|license plate|licence plate|number plate|plate|plates"),
    ("vehicle", True, "tag|vehicle identification|vehicle"),
    ("license", False, "driver's license|drivers license|driver’s license|driver's licence|"
                       "driving licence|driving license"),
    ("license", False, "dl|dl#|cdl"),
    ("license", True, "license|licence|certificate|permit|registration|dea"),
    ("device", False, "serial|s/n|udi|imei|mac address"),
    ("device", True, "sn|device|implant|pacemaker|pump|defibrillator|monitor|hearing aid"),
    ("ssn", False, "ssn|social security"),
):  # fmt: skip
    for _p in _phrases.split("|"):
        _KEYWORD_PHRASES[tuple(_p.split())] = (_kind, _needs_suffix)
# Words allowed between a keyword and its code; the second set counts as
# the "number" a keyword may need.
_KW_FILLER = frozenset(_words("is was number no num nr # id identifier : code card reads"))
_KW_SUFFIX = frozenset(_words("number no num nr # id identifier : code"))
# Keywords too common to take a bare colon as their "number": "age group:
# 18-64", "plan: 2025".
_KW_COLON_WEAK = frozenset(
    _words("group plan policy record records patient hospital vehicle tag bill monitor pump")
)
# In a patient story any long code after these words identifies someone.
_GENERIC_ID_WORDS = frozenset(
    _words(
        "id identification number no # code case confirmation reference ticket booking order "
        "tracking file"
    )
)
# Public code systems: a number after "CPT code" names a service, not a person.
_PUBLIC_CODE_WORDS = frozenset(
    _words("cpt icd icd-10 hcpcs ndc loinc snomed drg npi area promo discount coupon error qr")
)
# The word just before a code must be one of these for a keyword to apply.
_KW_TRIGGERS = (
    frozenset(p[-1] for p in _KEYWORD_PHRASES) | _KW_FILLER | _GENERIC_ID_WORDS
) - {"#", ":"}
_LOOKBACK_TOKEN = re.compile(r"[a-z][a-z'’/]*|#|:|[^\sa-z#:.,]+")

# How the candidate pattern is built (hand-tuned for Python's ``re``).
#
# Most of a page is lower-case prose, and no identifier starts there: every
# candidate opens at a digit, a capital letter, or one of ( + @ . : / #.
# So the pattern opens with exactly that character class, which lets
# ``re`` skip everything else in a tight C loop, and then dispatches on the
# character it consumed with one-character look-behinds. Identifiers that
# a keyword introduces ("member ID ABC123456") are anchored on their digits.
# Each branch ends in an empty named group: ``Match.lastgroup`` names it.

_FIRST = rf"0-9{_UP}(+@.:/#"

# After a first digit at the start of a word (the digit is consumed, so
# each regex here starts from the second character).
_DIGIT_RESTS: list[tuple[str, str]] = [
    ("pobox", r"(?<=[Bb][Oo][Xx]\s\d)\d{0,5}\b"),
    ("ssn", r"\d{2}-\d{2}-\d{4}(?![\d-])"),
    ("ip4", r"\d{0,2}(?:\.\d{1,3}){3}(?!\d|\.\d)"),
    ("datenum",
     r"\d{3}-\d{1,2}-\d{1,2}(?![\d-])|\d{3}/\d{1,2}/\d{1,2}(?![\d/])"
     r"|\d?/\d{1,2}/(?:\d{4}|\d{2})(?![\d/])|\d?-\d{1,2}-\d{4}(?![\d-])"
     rf"|\d{{3}}\s+{_MONTH_ABBR}\s+\d{{1,2}}(?!\d)"),
    ("address",
     r"\d{0,5}(?:-?[A-Z])?\s+(?:[NSEW]\.?\s+|(?:North|South|East|West)\s+)?"
     rf"(?:(?:\d{{1,3}}(?:st|nd|rd|th)|[{_UP}][\w'’.-]*)\s+){{1,3}}(?:{_STREET_TYPES})\b\.?"
     r"(?:,?\s+(?:Apt|Apartment|Unit|Suite|Ste|#)\.?\s*#?[\w-]+)?"),
    ("age",
     r"\d{1,2}(?:[- ](?:years?|yrs?)[- ]olds?\b|\s+years?\s+(?:old|of\s+age)\b"
     r"|(?:st|nd|rd|th)\s+birthday\b)"),
    ("dayfirst", r"\d?(?:st|nd|rd|th)?\s+(?:of\s+)?[ADFJMNOS][a-z]{2,8}\b\.?(?:,?\s+\d{4}(?!\d))?"),
    ("phone",
     r"(?<=1)[\s.-]\(?\d{3}\)?[\s.-]?\d{3}[\s.-]\d{4}(?!\d)|\d{2}[\s.-]\d{3}[\s.-]\d{4}(?!\d)"
     r"|\d{9}(?!\d)"),
    ("zip5", r"\d{4}(?:-\d{4})?(?!\w|[.,]\d)"),
    ("agenum", r"(?:(?<=9)\d|(?<=1)(?:[01]\d|2[0-5]))(?!\w|[.,]\d)"),
    # A code of three digits or more; not the start of an IPv6 address.
    ("code", r"(?:[A-Za-z-]*\d){2}[\w-]*+(?!:)"),
]  # fmt: skip

_CAP_RESTS: list[tuple[str, str]] = [
    ("month", r"(?<=[ADFJMNOS])[a-z]{2,8}\b\.?,?\s+(?:of\s+)?\d{1,4}(?:st|nd|rd|th)?"
              r"(?![\d:]|[.,]\d|%)(?:,?\s+\d{4}(?!\d))?"),
]  # fmt: skip
_ARTICLE_CAP_RESTS: list[tuple[str, str]] = [
    # "patient John Smith" is a breach on any page.
    ("patientname", rf"(?<=\bpatient\s.)[{_LO}]+(?:[-'’][{_UP}][{_LO}]+)?\s+{_NAME}"),
]
_STORY_CAP_RESTS: list[tuple[str, str]] = [
    ("patientname", rf"(?<=M)(?:rs|r|s|iss|x)\b\.?\s+{_NAME}"),
    # A capitalised word after a lower-case word ("my son Diego") or
    # before another capitalised word ("Maria Lopez").
    ("cap", rf"(?:(?<=[a-z]\s.)|(?<=[a-z],\s.)|(?=[{_LO}]+(?:[-'’][{_UP}][{_LO}]+)?"
            rf"\s+(?:[{_UP}]\.\s+)?[{_UP}][{_LO}]))[{_LO}]+(?:[-'’][{_UP}][{_LO}]+)?"),
]  # fmt: skip

_OTHER: list[tuple[str, str]] = [
    ("phone", r"(?<=\()\d{3}\)\s?\d{3}[\s.-]?\d{4}(?!\d)"),
    ("phone", r"(?<=\+)\d[\d\s().-]{6,18}\d(?!\d)"),
    ("at", r"(?<=@)(?=\w)"),
    # A host name: "www." or a dot before a top-level domain that personal
    # pages live on.
    ("url", r"(?<=\.)(?:(?<=www\.)|(?:com|net|org|ee|me|app|social|io|tv|edu|blog|info|co)\b)"),
    ("colon", r"(?<=:)(?://|(?<=[0-9A-Fa-f]:)(?=[0-9A-Fa-f:]))"),
    ("url", r"(?<=/)[~@]\w"),
]  # fmt: skip
_STORY_OTHER: list[tuple[str, str]] = [
    ("hashid", r"(?<=#)(?<![\w&].)[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){2,24}"),
]


def _compile(patient: bool) -> tuple[re.Pattern[str], dict[str, str]]:
    """The candidate pattern and, for each of its groups, the handler name."""
    names: dict[str, str] = {}

    def alts(branches: list[tuple[str, str]]) -> str:
        out = []
        for handler, rx in branches:
            group = f"{handler}_{len(names)}"
            names[group] = handler
            out.append(f"(?:{rx})(?P<{group}>)" if "|" in rx else f"{rx}(?P<{group}>)")
        return "|".join(out)

    caps = _CAP_RESTS + (_STORY_CAP_RESTS if patient else _ARTICLE_CAP_RESTS)
    other = _OTHER + (_STORY_OTHER if patient else [])
    dispatch = [
        f"(?<=[{_UP}])(?<![\\w.'’-].)(?:{alts(caps)})",
        f"(?<=\\d)(?<![\\w.,$/+-].)(?:{alts(_DIGIT_RESTS)})",
        alts([("midcode", r"(?<=[A-Za-z-]\d)")]),
        alts(other),
    ]
    return re.compile(f"[{_FIRST}](?:{'|'.join(dispatch)})"), names


_PATTERNS = {False: _compile(False), True: _compile(True)}

# --------------------------------------------------------------------------
# Small helpers used by the handlers.
# --------------------------------------------------------------------------

_Handler = Callable[["_Scan", re.Match[str]], int]


@functools.lru_cache(maxsize=64)
def _domain_words(domains: frozenset[str]) -> frozenset[str]:
    """Words of the hospital's own domains ("riverbend") are organisation
    words: "Riverbend Heart" is a service line, not a person."""
    return frozenset(
        w.lower() for d in domains for w in re.split(r"[.\-]", d) if len(w) > 2
    )


@functools.lru_cache(maxsize=64)
def _public_phones(phones: frozenset[str], region: str) -> frozenset[str]:
    """The allowed phones in E.164 form (whatever form policy wrote them in),
    and the national hotlines."""
    out = set(_PUBLIC_HOTLINES)
    for p in phones:
        try:
            num = phonenumbers.parse(p, region)
        except phonenumbers.NumberParseException:
            out.add(p)
            continue
        out.add(phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164))
    return frozenset(out)


class _Scan:
    """The state of one ``scan`` call: the text, its context and the hits."""

    __slots__ = (
        "text", "ctx", "hits", "_low", "org_words", "public_phones", "allowed_ends", "line_cache"
    )  # fmt: skip

    def __init__(self, text: str, ctx: PhiContext) -> None:
        self.text = text
        self.ctx = ctx
        self.hits: list[PhiHit] = []
        self._low: str | None = None
        self.org_words = _domain_words(ctx.allowed_domains)
        self.public_phones = _public_phones(ctx.allowed_phones, ctx.region)
        # Where the hospital's own address lines end: its ZIP code follows.
        self.allowed_ends: list[int] = []
        self.line_cache: dict[int, bool] = {}

    @property
    def low(self) -> str:
        if self._low is None:
            self._low = self.text.lower()
        return self._low

    def add(self, kind: str, start: int, end: int, severity: str, message: str) -> None:
        self.hits.append(PhiHit(kind, start, end, severity, message, _HINTS[kind]))

    def before(self, start: int, n: int = 40) -> str:
        """Lower-cased text up to ``n`` characters before ``start``.

        Markdown wraps a paragraph over several lines, so the window runs
        over single line breaks (read as spaces) but stops at a blank line,
        a heading, a list item, a quote or a table row.
        """
        chunk = self.low[max(0, start - n) : start]
        if "\n" not in chunk:
            return chunk
        cut = _BLOCK_BREAK_BACK.search(chunk)
        if cut:
            chunk = chunk[cut.end() :]
        return chunk.replace("\n", " ")

    def after(self, end: int, n: int = 40) -> str:
        """Lower-cased text up to ``n`` characters after ``end`` (see ``before``)."""
        chunk = self.low[end : end + n]
        if "\n" not in chunk:
            return chunk
        cut = _BLOCK_BREAK.search(chunk)
        if cut:
            chunk = chunk[: cut.start()]
        return chunk.replace("\n", " ")

    def line(self, start: int) -> str:
        lo = self.text.rfind("\n", 0, start) + 1
        hi = self.text.find("\n", start)
        return self.text[lo : hi if hi >= 0 else len(self.text)]

    def sentence(self, start: int, end: int, n: int = 90) -> str:
        """Lower-cased sentence around a span (at most ``n`` characters each side)."""
        lo = max(0, start - n)
        chunk = self.low[lo : end + n]
        s, e = start - lo, end - lo
        cuts = [m.end() for m in _SENTENCE_END.finditer(chunk, 0, s)]
        tail = _SENTENCE_END.search(chunk, e)
        return chunk[cuts[-1] if cuts else 0 : tail.start() + 1 if tail else len(chunk)]


# A sentence ends at . ! ? followed by a space, or at a block break.
_SENTENCE_END = re.compile(r"[.!?](?=\s)|\n\s*\n|\n(?=\s*(?:[#>|*+-]|\d+[.)])\s)")
# Where a Markdown block starts: a blank line, or a line opening a heading,
# quote, table row or list item.
_BLOCK_BREAK = re.compile(r"\n\s*\n|\n(?=\s*(?:[#>|*+-]|\d+[.)])\s)")
_BLOCK_BREAK_BACK = re.compile(r"(?s:.*)(?:\n\s*\n|\n(?=\s*(?:[#>|*+-]|\d+[.)])\s))")


def _quote(s: str) -> str:
    s = " ".join(s.split())
    return f"'{s}'" if len(s) <= 60 else f"'{s[:57]}...'"


def _is_staff(sc: _Scan, name: str, surname_ok: bool = False) -> bool:
    """A staff member's full name (or, with ``surname_ok``, their surname)."""
    name = " ".join(name.split())
    for staff in sc.ctx.staff_names:
        if name == staff:
            return True
        words = staff.split()
        if surname_ok and name == words[-1]:
            return True
        if len(words) > 2 and name == f"{words[0]} {words[-1]}":
            return True
    return False


def _is_non_name(sc: _Scan, word: str, possessive: bool = False) -> bool:
    """A capitalised word that is not a person's name here.

    ``possessive``: the word is followed by "'s" (Bell's palsy).
    """
    return (
        word in _NOT_NAME_WORDS
        or word in _ORG_WORDS
        or word in _EPONYMS
        or (possessive and word in _EPONYM_SURNAMES)
        or word.lower() in sc.org_words
        or ("-" in word and any(part in _EPONYMS for part in word.split("-")))
    )


def _in_heading(sc: _Scan, start: int) -> bool:
    """Headings are title case: their capitalised pairs are not names."""
    line = sc.line(start).lstrip()
    return line.startswith("#")


# Lines that cite a source: dates, numbers and URLs on them are bibliography.
# Words that mark a line as a reference (plain substring tests: fast).
_CITATION_MARKERS = ("et al", "doi", "pmid", "pmcid", "isbn", "accessed", "retrieved", "[@", "[^")
_FRONT_MATTER_DATE_KEY = re.compile(
    r"\s*-?\s*(?:date|published|updated|modified|created|reviewed|last_reviewed|next_review|"
    r"expires|signed|accessed|issued|date_published|date_modified|review_date)\s*:"
)


def _citation_context(sc: _Scan, start: int) -> bool:
    """Whether ``start`` is on a reference line or a front-matter date line."""
    lo = sc.low.rfind("\n", 0, start) + 1
    cached = sc.line_cache.get(lo)
    if cached is None:
        hi = sc.low.find("\n", start)
        line = sc.low[lo : hi if hi >= 0 else len(sc.low)]
        cached = any(k in line for k in _CITATION_MARKERS) or bool(
            _FRONT_MATTER_DATE_KEY.match(line)
        )
        sc.line_cache[lo] = cached
    return cached


# --------------------------------------------------------------------------
# Handlers. Each gets the scan and the candidate and returns the offset to
# resume the search from.
# --------------------------------------------------------------------------


def _h_ssn(sc: _Scan, m: re.Match[str]) -> int:
    s = m.group()
    area, group, serial = s.split("-")
    # The SSA never issues area 000, 666 or 9xx, group 00 or serial 0000.
    if area in ("000", "666") or area.startswith("9") or group == "00" or serial == "0000":
        return m.end()
    keyword = _keyword_before(sc, m.start())
    if keyword and keyword[0] not in ("ssn", "id"):
        # "VA claim no. 448-22-0917": numbered like an SSN, named otherwise.
        return _code_hit(sc, m.start(), m.end())
    sc.add("ssn", m.start(), m.end(), "error", f"A Social Security number: {_quote(s)}")
    return m.end()


_VERSION_BEFORE = re.compile(r"(?:version|\bv|section|§)\s*$")


def _h_ip4(sc: _Scan, m: re.Match[str]) -> int:
    s = m.group()
    try:
        ipaddress.IPv4Address(s)
    except ValueError:
        return m.end()
    if _VERSION_BEFORE.search(sc.before(m.start(), 12)):
        return m.end()
    sc.add("ip", m.start(), m.end(), "error", f"An IP address: {_quote(s)}")
    return m.end()


_MAC = re.compile(r"[0-9A-Fa-f]{2}([:-])[0-9A-Fa-f]{2}(?:\1[0-9A-Fa-f]{2}){4}")


_HEX_BACK = re.compile(r"[0-9A-Fa-f:]+$")
_HEX_FWD = re.compile(r"[0-9A-Fa-f:]*")
_TOKEN_BREAK = " \t\n<>()[]{}\"'`|*"


def _hex_hit(sc: _Scan, start: int, end: int) -> int:
    """An IPv6 or MAC address in text[start:end], if it is one."""
    s = sc.text[start:end]
    if sc.text[start - 1 : start] in (".", "-") or sc.text[start - 1 : start].isalnum():
        return end
    if _MAC.fullmatch(s):
        sc.add("device", start, end, "error", f"A device (MAC) address: {_quote(s)}")
        return end
    if s.count(":") < 2:
        return end
    try:
        ipaddress.IPv6Address(s)
    except ValueError:
        return end
    if "::" not in s and s.replace(":", "").isdigit():
        return end  # a clock time is not an address
    sc.add("ip", start, end, "error", f"An IP address: {_quote(s)}")
    return end


def _h_colon(sc: _Scan, m: re.Match[str]) -> int:
    """'://' of a web address, or a colon inside an IPv6 or MAC address."""
    at = m.start()
    if sc.text.startswith("//", at + 1):
        return _url_token(sc, at)
    back = _HEX_BACK.search(sc.text, max(0, at - 40), at)
    fwd = _HEX_FWD.match(sc.text, at)
    assert fwd
    start = back.start() if back else at
    return _hex_hit(sc, start, fwd.end())


# In an article a date is a person's only when the sentence ties it to one
# person's care or life: "was admitted", "date of birth", "her surgery".
# A bare "birth" or "surgery" is not enough ("the birth center opened on
# June 1", "surgery clinics close on July 4").
_PERSON_EVENT = re.compile(
    r"\b(?:(?:was|were|got|been|is|be)\s+(?:admitted|discharged|born|diagnosed|"
    r"hospitali[sz]ed|transferred|intubated|injured|operated\s+on|delivered)|"
    r"date\s+of\s+(?:birth|death|service|admission|discharge|visit|injury)|dob|d\.o\.b|"
    r"died|passed\s+away|"
    r"(?:his|her|their|my|your|our)\s+(?:surgery|operation|transplant|admission|discharge|"
    r"birthday|stroke|heart\s+attack|accident|diagnosis|delivery|death))\b"
)
# Public observances are proper nouns: "World Health Day, April 7", "April
# 7 is World Health Day". Lower-case "the next day, March 4" is not one.
_OBSERVANCE = re.compile(
    r"\b(?:Day|Week|Month|Awareness|Observance)\b[\s,:]*"
    r"(?:is\s+|falls\s+on\s+|on\s+|begins\s+|starts\s+|this\s+year\s+on\s+)?$"
)
_OBSERVANCE_AFTER = re.compile(
    r"[\s,]*(?:\d{4}\s*)?,?\s*(?:is|marks|was|will\s+be)?\s*(?:the\s+)?"
    r"(?:[A-Z][\w'’]*\s+){1,5}(?:Day|Week|Month)\b"
)


def _date_hit(sc: _Scan, m: re.Match[str], day: int, month: int, what: str) -> int:
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return m.end()
    start, end, s = m.start(), m.end(), m.group()
    if _citation_context(sc, start):
        return end
    observance = bool(_OBSERVANCE.search(sc.text, max(0, start - 50), start)) or bool(
        _OBSERVANCE_AFTER.match(sc.text, end, end + 60)
    )
    if sc.ctx.patient_context:
        if observance:
            sc.add("date", start, end, "warning",
                   f"A public observance date in a patient story: {_quote(s)}; "
                   "check it does not date the patient's care")  # fmt: skip
        else:
            sc.add("date", start, end, "error", f"A {what} in a patient story: {_quote(s)}")
        return end
    if observance:
        return end
    if _PERSON_EVENT.search(sc.sentence(start, end, 80)):
        sc.add("date", start, end, "error", f"A {what} tied to a person's care or birth: {_quote(s)}")
    return end


def _h_datenum(sc: _Scan, m: re.Match[str]) -> int:
    s = m.group()
    if s[:4].isdigit() and not s[4].isdigit():  # 2025-03-14, 2025/03/14, 2019 Apr 16
        parts = re.split(r"[-/\s]+", s)
        if parts[1].isdigit():
            month, day = int(parts[1]), int(parts[2])
        else:
            # "2019 Apr 16;" is how PubMed and Vancouver citations date a source.
            if re.match(r"\s*[;:.(]", sc.text[m.end() : m.end() + 3]):
                return m.end()
            month, day = _MONTH_NUMBERS[parts[1]], int(parts[2])
        return _date_hit(sc, m, day, month, "full date")
    a, b, _ = re.split(r"[-/]", s)
    month, day = int(a), int(b)
    if month > 12:
        month, day = day, month  # 14/3/2025 is day first
    return _date_hit(sc, m, day, month, "full date")


_DAY_MONTH = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?([A-Z][a-z]+)")


def _h_dayfirst(sc: _Scan, m: re.Match[str]) -> int:
    mm = _DAY_MONTH.match(m.group())
    if not mm or mm.group(2) not in _MONTH_NUMBERS:
        return m.start() + 1
    what = "full date" if m.group()[-4:].isdigit() else "day and month"
    return _date_hit(sc, m, int(mm.group(1)), _MONTH_NUMBERS[mm.group(2)], what)


_MONTH_DAY = re.compile(r"([A-Za-z]+)\.?,?\s+(?:of\s+)?(\d{1,4})")
# "May 5 mg" or "March 3 times": a number with a unit is not a day.
_NOT_A_DAY_AFTER = re.compile(
    r"\s*(?:mg|mcg|g|kg|lb|lbs|ml|times|percent|%|hours?|days|weeks|months|years|minutes|"
    r"people|patients|adults|children|of\s+(?:us|them|the|every|these|those))\b"
)


def _h_month(sc: _Scan, m: re.Match[str]) -> int:
    mm = _MONTH_DAY.match(m.group())
    assert mm
    month = _MONTH_NUMBERS.get(mm.group(1))
    if month is None:
        return m.start() + len(mm.group(1))
    n = mm.group(2)
    if len(n) == 4:
        # A month and a year: only a story's month and year may date care.
        if sc.ctx.patient_context and not _citation_context(sc, m.start()):
            sc.add("date", m.start(), m.end(), "warning",
                   f"A month and year in a patient story: {_quote(m.group())}; "
                   "say only the year or the season if it dates the care")  # fmt: skip
        return m.end()
    if len(n) == 3 or _NOT_A_DAY_AFTER.match(sc.low, m.end()):
        return m.end()
    what = "full date" if m.group()[-4:].isdigit() else "day and month"
    return _date_hit(sc, m, int(n), month, what)


# Phrases that make an age a statement about a population, not a person.
_POP_AFTER = re.compile(
    r"\s*(?:years?(?:\s+of\s+age)?|-?\s*years?-?\s*olds?)?\s*(?:\+|and\s+(?:older|over|up|above)"
    r"|or\s+(?:older|over|more|above)|(?:to|through|-|–|and)\s*\d)"
)
_POP_BEFORE = re.compile(
    r"(?:over|above|under|older\s+than|younger\s+than|at\s+least|beyond|past|between|from|"
    r"ages|adults|people|persons|those|women|men|patients|anyone|everyone|individuals|residents|"
    r"seniors|centenarians|americans|children|population|group|groups)\s+(?:aged?\s+)?$"
)


def _population_age(sc: _Scan, num_end: int, phrase_start: int) -> bool:
    return bool(
        _POP_AFTER.match(sc.low, num_end) or _POP_BEFORE.search(sc.before(phrase_start, 30))
    )


def _h_age(sc: _Scan, m: re.Match[str]) -> int:
    """'92-year-old', '95 years old', '95th birthday'."""
    s = m.group()
    n = 2 if s[2:3].isdigit() is False else 3
    age = int(s[:n])
    if not 90 <= age <= 125 or s.endswith("olds"):
        return m.end()  # "92-year-olds" is a group
    if _POP_AFTER.match(sc.low, m.end()) or _population_age(sc, m.start() + n, m.start()):
        return m.end()
    sc.add("age", m.start(), m.end(), "error", f"An age over 89: {_quote(s)}")
    return m.end()


_AGE_WORD_BEFORE = re.compile(r"\b(?:aged?|ages|turned|turns|turning|at\s+age|age\s+of)\s+$")
_AGE_SUBJECT_BEFORE = re.compile(
    rf"(?:\b(?:[Ss]he|[Hh]e|I)|\b(?P<name>{_NAME}))(?:\s+(?:is|was|am|turned|turns)\s+|['’]s\s+|,\s+)$"
)
_UNIT_AFTER = re.compile(
    r"\s*(?:%|percent|mg|mcg|g\b|kg|lb|lbs|pounds?|kilos?|ml|mm|cm|inches|feet|ft|degrees|°|"
    r"beats|bpm|points?|steps|miles|minutes|min\b|hours|days|weeks|months|times|calories|"
    r"units|mmhg|/|x\b)"
)


def _h_agenum(sc: _Scan, m: re.Match[str]) -> int:
    """A bare 90 to 125: an age after 'aged', 'turned', 'she is', 'Rosa,'."""
    start, end = m.start(), m.end()
    if _UNIT_AFTER.match(sc.low, end) or _POP_AFTER.match(sc.low, end):
        return end
    before = sc.before(start, 30)
    kw = _AGE_WORD_BEFORE.search(before)
    if kw:
        phrase_start = start - (len(before) - kw.start())
        if _population_age(sc, end, phrase_start):
            return end
        sc.add("age", phrase_start, end, "error",
               f"An age over 89: {_quote(sc.text[phrase_start:end])}")  # fmt: skip
        return end
    if sc.ctx.patient_context:
        raw = sc.text[max(0, start - 30) : start]
        subj = _AGE_SUBJECT_BEFORE.search(raw)
        if subj and not (subj.group("name") and _is_non_name(sc, subj.group("name"))):
            sc.add("age", start, end, "error", f"An age over 89: {_quote(raw[subj.start():] + m.group())}")
    return end


def _h_address(sc: _Scan, m: re.Match[str]) -> int:
    s = m.group()
    if _allowed_address(sc, s):
        sc.allowed_ends.append(m.end())
        return m.end()
    sc.add("address", m.start(), m.end(), "error", f"A street address: {_quote(s)}")
    return m.end()


def _norm_addr(s: str) -> str:
    return " ".join(re.sub(r"[.,#]", " ", s.lower()).split())


def _allowed_address(sc: _Scan, s: str) -> bool:
    n = _norm_addr(s)
    for a in sc.ctx.allowed_addresses:
        na = _norm_addr(a)
        if n.startswith(na) or na.startswith(n):
            return True
    return False


_POBOX_BEFORE = re.compile(r"\b(?:p\.?\s?o\.?\s*|post\s+office\s+)box\s$")


def _h_pobox(sc: _Scan, m: re.Match[str]) -> int:
    """The number of a post office box ("PO Box 12"), anchored on its digits."""
    before = sc.before(m.start(), 24)
    box = _POBOX_BEFORE.search(before)
    if not box:
        return m.end()
    start = m.start() - (len(before) - box.start())
    s = sc.text[start : m.end()]
    if _allowed_address(sc, s):
        sc.allowed_ends.append(m.end())
    else:
        sc.add("address", start, m.end(), "error", f"A post office box: {_quote(s)}")
    return m.end()


# "Springfield, IL 62704" or "Illinois 62704". Abbreviations need the comma
# of "City, ST": ID, IN, OR, ME and OK are words or labels too ("implant ID
# 77120-0934").
_STATE_BEFORE = re.compile(rf"(?:,\s*(?:{_STATE_ABBR})\.?|\b(?:{_STATE_NAMES}),?)\s*$")
_ZIP_WORD_BEFORE = re.compile(r"\b(?:zip|postal|zip\s*code)\b[^.\n]{0,12}$", re.I)
_ZIP_UNIT_AFTER = re.compile(
    r"\s*(?:[a-z]+\s+)?(?:steps|people|patients|adults|children|babies|births|deaths|cases|"
    r"visits|miles|feet|calories|dollars|units|mg|mcg|ml|words|members|residents|nurses|times|"
    r"hours|days|years|americans|women|men|kids|doses|pounds)\b"
)


def _h_zip5(sc: _Scan, m: re.Match[str]) -> int:
    start, end, s = m.start(), m.end(), m.group()
    before_raw = sc.text[max(0, start - 30) : start]
    if before_raw.endswith(("#", "$")):
        return _code_hit(sc, start, end)
    if any(0 <= start - e <= 80 for e in sc.allowed_ends[-2:]) or any(
        s in a for a in sc.ctx.allowed_addresses
    ):
        return end  # the hospital's own ZIP code
    keyword = _keyword_before(sc, start)
    if keyword and keyword[0] != "id":
        return _code_hit(sc, start, end)  # "MRN 62704", "implant ID 77120-0934"
    addressy = bool(_STATE_BEFORE.search(before_raw) or _ZIP_WORD_BEFORE.search(before_raw))
    if not addressy:
        addressy = any(h.kind == "address" and 0 <= start - h.end <= 40 for h in sc.hits[-3:])
    if addressy:
        sc.add("zip", start, end, "error", f"A ZIP code in an address: {_quote(s)}")
        return end
    if _code_hit(sc, start, end) > start and sc.hits and sc.hits[-1].start == start:
        return end  # an identifier after a keyword ("MRN 62704")
    if sc.ctx.patient_context and not _citation_context(sc, start):
        if _ZIP_UNIT_AFTER.match(sc.low, end):
            return end
        sev = "error" if s[:3] in RESTRICTED_ZIP3 else "warning"
        sc.add("zip", start, end, sev, f"A five-digit number that may be a ZIP code: {_quote(s)}")
    return end


_ZIP_DIGITS = re.compile(r"\d{3}|\d{5}(?:-\d{4})?")
_ZIP_KW_BEFORE = re.compile(
    r"\b(?:zip|postal)(?:\s*codes?)?(?:\s+(?:prefix(?:es)?|area|starting\s+with|"
    r"beginning\s+with|is|of|was|in))*[\s:#]*$"
)


def _zip_after_keyword(sc: _Scan, start: int, end: int) -> int | None:
    """A ZIP code or 3-digit prefix after "ZIP code"; None when there is no keyword."""
    if not _ZIP_KW_BEFORE.search(sc.before(start, 40)):
        return None
    d = sc.text[start:end]
    if not _ZIP_DIGITS.fullmatch(d):
        return end
    if len(d) == 3:
        stars = re.match(r"\*\*|[xX]{2}", sc.text[end : end + 2])
        end += len(stars.group()) if stars else 0
        if d not in RESTRICTED_ZIP3:
            return end  # "ZIP codes starting with 617": a 3-digit prefix is allowed
        sc.add("zip", start, end, "error",
               f"A restricted 3-digit ZIP prefix: {_quote(sc.text[start:end])} (Safe Harbor requires 000)")  # fmt: skip
        return end
    if not any(d in a for a in sc.ctx.allowed_addresses):
        sc.add("zip", start, end, "error", f"A ZIP code: {_quote(d)}")
    return end


_PHONE_UNIT_AFTER = re.compile(r"\s*(?:mm\s*hg|mg|%)")
_NON_DIGIT = re.compile(r"\D")
# Regions of the North American Numbering Plan and its toll-free codes.
_NANP_REGIONS = frozenset(_words("US CA PR VI GU AS MP"))
_TOLL_FREE_AREA_CODES = frozenset(_words("800 833 844 855 866 877 888"))
_PHONE_WORD_BEFORE = re.compile(r"\b(?:call|phone|cell|mobile|tel|text|fax|reach|number|dial)\b")


def _h_phone(sc: _Scan, m: re.Match[str]) -> int:
    s = m.group()
    if s.isdigit() and not _PHONE_WORD_BEFORE.search(sc.before(m.start(), 30)):
        # A bare 10-digit run is a phone number only where the page says so.
        return _code_hit(sc, m.start(), m.end())
    if _PHONE_UNIT_AFTER.match(sc.low, m.end()):
        return m.end()
    digits = _NON_DIGIT.sub("", s)
    nanp = sc.ctx.region in _NANP_REGIONS and not s.startswith("+")
    if nanp and len(digits) in (10, 11):
        # A North American number: the public lines and toll-free codes
        # are known from the digits, before the (slower) full parse.
        e164 = "+1" + digits[-10:]
        if e164 in sc.public_phones:
            return m.end()
        if digits[-10:-7] in _TOLL_FREE_AREA_CODES:
            return m.end()
    try:
        num = phonenumbers.parse(s, sc.ctx.region)
    except phonenumbers.NumberParseException:
        return m.end()
    if not phonenumbers.is_valid_number(num):
        return _code_hit(sc, m.start(), m.end())
    if not nanp:
        e164 = phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)
        if e164 in sc.public_phones:
            return m.end()
        # Toll-free numbers belong to organisations (hospitals, insurers,
        # agencies); no patient is reached through one.
        if phonenumbers.number_type(num) in (
            phonenumbers.PhoneNumberType.TOLL_FREE,
            phonenumbers.PhoneNumberType.SHARED_COST,
        ):
            return m.end()
    before = sc.before(m.start(), 50)
    if before.rfind("fax") > max(before.rfind(w) for w in ("phone", "call", "cell", "tel", "text")):
        sc.add("fax", m.start(), m.end(), "error", f"A fax number: {_quote(s)}")
    else:
        sc.add("phone", m.start(), m.end(), "error", f"A phone number: {_quote(s)}")
    return m.end()


_EMAIL_LOCAL_BACK = re.compile(r"[A-Za-z0-9._%+-]+$")
_EMAIL_DOMAIN = re.compile(r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_HANDLE = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.]*[A-Za-z0-9_])?(?:@[\w.-]+\.\w+)?")


def _domain_allowed(sc: _Scan, host: str) -> bool:
    host = host.lower().rstrip(".")
    host = host[4:] if host.startswith("www.") else host
    return any(host == d or host.endswith("." + d) for d in sc.ctx.allowed_domains)


def _squash(s: str) -> str:
    return re.sub(r"[^a-z0-9]", "", s.lower())


def _hospital_account(sc: _Scan, name: str) -> bool:
    """A handle or profile path that is the hospital's own ("@RiverbendHospital")."""
    n = _squash(name)
    for d in sc.ctx.allowed_domains:
        labels = d.lower().split(".")
        label = _squash(labels[1] if labels[0] == "www" and len(labels) > 1 else labels[0])
        if n and (label == n or (len(n) >= 6 and label.startswith(n))):
            return True
    return False


def _h_at(sc: _Scan, m: re.Match[str]) -> int:
    at = m.start()
    text = sc.text
    prev = text[at - 1 : at]
    if prev and (prev.isalnum() or prev in "._%+-"):
        # An e-mail address: its local part ends just before the '@'.
        lm = _EMAIL_LOCAL_BACK.search(text, max(0, at - 64), at)
        dm = _EMAIL_DOMAIN.match(text, at + 1)
        if not lm or not dm:
            return m.end()
        start, end = lm.start(), dm.end()
        addr = text[start:end]
        if addr.lower() in {e.lower() for e in sc.ctx.allowed_emails} or _domain_allowed(
            sc, dm.group()
        ):
            return end
        # The local part may have been taken for something else ("rosa1954").
        sc.hits[:] = [h for h in sc.hits if not (h.start >= start and h.end <= at)]
        sc.add("email", start, end, "error", f"An e-mail address: {_quote(addr)}")
        return end
    # A social media handle. Pandoc citation keys ("[@smith2019]") are not.
    line_start = text.rfind("\n", 0, at) + 1
    before = text[line_start:at]
    if before.rfind("[") > before.rfind("]"):
        return m.end()
    hm = _HANDLE.match(text, at + 1)
    if not hm or len(hm.group()) < 2:
        return m.end()
    if _hospital_account(sc, hm.group().split("@")[0]):
        return hm.end()
    sev = "error" if sc.ctx.patient_context else "warning"
    sc.add("handle", at, hm.end(), sev, f"A social media handle: {_quote(text[at:hm.end()])}")
    return hm.end()


# Profile paths that start with a prefix: linkedin.com/in/NAME, youtube.com/c/NAME.
_PROFILE_PREFIXES = frozenset(_words("in u user c channel p r fundraiser f visit site"))


def _h_url(sc: _Scan, m: re.Match[str]) -> int:
    return _url_token(sc, m.start())


def _url_token(sc: _Scan, at: int) -> int:
    """Classify the web address around offset ``at`` (a dot, '://' or '/~')."""
    text = sc.text
    start = at
    lo = max(0, at - 200)
    while start > lo and text[start - 1] not in _TOKEN_BREAK:
        start -= 1
    end = at
    hi = min(len(text), at + 300)
    while end < hi and text[end] not in _TOKEN_BREAK:
        end += 1
    s = text[start:end].rstrip(".,;:!?_")
    end = start + len(s)
    if "@" in s.split("/")[0]:
        return end  # an e-mail address, seen at its '@'
    if "/" not in s and not s.lower().startswith("www.") and not s.lower().endswith(
        _PERSONAL_HOST_SUFFIXES
    ):
        return end  # "e.g.", "riverbend.org": no page of a person
    full = s if "://" in s else "https://" + s
    try:
        parts = urlsplit(full)
        host = (parts.hostname or "").lower()
    except ValueError:
        return end
    if not host or "." not in host or _domain_allowed(sc, host):
        return end
    bare = host[4:] if host.startswith("www.") else host
    segs = [p for p in parts.path.split("/") if p]
    personal = False
    if bare in _PERSONAL_HOSTS or bare.endswith(".facebook.com"):
        if segs and segs[0].lower() not in _NON_PERSONAL_PATHS:
            who = segs[1] if segs[0].lower() in _PROFILE_PREFIXES and len(segs) > 1 else segs[0]
            personal = not _hospital_account(sc, who.lstrip("@"))
    elif bare.endswith(_PERSONAL_HOST_SUFFIXES):
        personal = not _hospital_account(sc, bare.split(".")[0])
    elif any(p.startswith(("~", "@")) for p in segs):
        personal = True
    if personal:
        sev = "error" if sc.ctx.patient_context else "warning"
        sc.add("url", start, end, sev, f"A personal web address: {_quote(s)}")
    return end


_VIN_VALUES = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7, "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}  # fmt: skip
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


def vin_check_digit(vin: str) -> str:
    """The check digit (position 9) of a 17-character VIN (49 CFR 565.15)."""
    total = sum(_VIN_VALUES[c] * w for c, w in zip(vin.upper(), _VIN_WEIGHTS, strict=True))
    r = total % 11
    return "X" if r == 10 else str(r)


def _is_vin(s: str) -> bool:
    return (
        len(s) == 17
        and not s.isdigit()
        and all(c in _VIN_VALUES for c in s)
        and vin_check_digit(s) == s[8]
    )


_KIND_LABEL = {
    "mrn": "A medical record number",
    "health-plan": "A health plan or member number",
    "account": "An account number",
    "license": "A licence or certificate number",
    "vehicle": "A licence plate or vehicle number",
    "device": "A device serial number",
    "ssn": "A Social Security number",
    "id": "An identifying number in a patient story",
}


def _keyword_before(sc: _Scan, start: int) -> tuple[str, str] | None:
    """The kind and keyword of the identifier keyword just before ``start``."""
    before = sc.before(start, 48)
    last = before.rstrip(" \t:#.,").rsplit(None, 1)
    if not last or last[-1].lstrip("([\"'“‘").rstrip(".:#,") not in _KW_TRIGGERS:
        return None  # the common case: a year, a dose, a count
    toks = _LOOKBACK_TOKEN.findall(before)
    i, suffix = len(toks), False
    colon = False
    while i and toks[i - 1] in _KW_FILLER and len(toks) - i < 3:
        if toks[i - 1] == ":":
            colon = True
        else:
            suffix = suffix or toks[i - 1] in _KW_SUFFIX
        i -= 1
    for n in (3, 2, 1):
        if i >= n:
            phrase = tuple(toks[i - n : i])
            found = _KEYWORD_PHRASES.get(phrase)
            if found and (
                suffix or not found[1] or (colon and phrase[-1] not in _KW_COLON_WEAK)
            ):
                return found[0], " ".join(phrase)
    suffix = suffix or colon
    if not sc.ctx.patient_context:
        return None
    j = i - 1 if i and toks[i - 1] in _GENERIC_ID_WORDS else i
    if j == i and not suffix:
        return None
    if j and toks[j - 1] in _PUBLIC_CODE_WORDS:
        return None  # "CPT code 99213", "NDC number 0002-8215-01": codes for things
    return "id", " ".join(toks[j:])


_PLATE_PREFIX = re.compile(r"\b[A-Z]{1,3} $")
_NUMBER_RANGE = re.compile(r"\d{1,3}-\d{1,3}")


def _code_hit(sc: _Scan, start: int, end: int) -> int:
    """An identifier code: a VIN anywhere, or a code after an identifier keyword."""
    code = sc.text[start:end].rstrip("-")
    end = start + len(code)
    if _NUMBER_RANGE.fullmatch(code):
        return end  # "18-64": a range of ages or doses
    zip_end = _zip_after_keyword(sc, start, end)
    if zip_end is not None:
        return zip_end
    if _MAC.fullmatch(code):
        return _hex_hit(sc, start, end)
    if _is_vin(code):
        sc.add("vehicle", start, end, "error", f"A vehicle identification number: {_quote(code)}")
        return end
    found = _keyword_before(sc, start)
    if found is None:
        # A plate written in two parts after its keyword: "plates MC 44821".
        prefix = _PLATE_PREFIX.search(sc.text, max(0, start - 5), start)
        if prefix:
            plate = _keyword_before(sc, prefix.start())
            if plate and plate[0] == "vehicle" and plate[1] != "vin":
                start, code, found = prefix.start(), sc.text[prefix.start() : end], plate
        if found is None:
            return end
    kind, keyword = found
    digits = sum(c.isdigit() for c in code)
    chars = len(code.replace("-", ""))
    if kind == "ssn":
        ok = digits == 9 and chars == 9
    elif kind == "vehicle":
        # Plates mix letters and digits ("ABC-1234", "7XYZ123").
        ok = chars >= 5 and digits >= 1 and any(c.isalpha() for c in code)
        ok = ok or (keyword == "vin" and chars == 17)
    elif kind == "id":
        # Five digits, or six characters a third of them digits; "#Heart2Heart" is not.
        ok = digits >= 5 or (chars >= 6 and digits >= 3 and digits * 3 >= chars)
    else:
        # "serial 2-hour tests" is not a serial number; a bare year is not one either.
        ok = digits >= 3 or (digits >= 2 and chars >= 5)
        ok = ok and not (len(code) == 4 and code[:2] in ("19", "20") and code.isdigit())
    if not ok or _citation_context(sc, start):
        return end
    sc.add(kind, start, end, "error", f"{_KIND_LABEL[kind]} after '{keyword}': {_quote(code)}")
    return end


def _h_code(sc: _Scan, m: re.Match[str]) -> int:
    return _code_hit(sc, m.start(), m.end())


_TOKEN_BACK = re.compile(r"[A-Za-z-]{1,12}$")
_TOKEN_FWD = re.compile(r"[\w-]*")


def _h_midcode(sc: _Scan, m: re.Match[str]) -> int:
    """A digit after letters: a code such as "ABC123456" or "SN12345"."""
    back = _TOKEN_BACK.search(sc.text, max(0, m.start() - 12), m.start())
    fwd = _TOKEN_FWD.match(sc.text, m.start())
    assert back and fwd
    start = back.start()
    if start > 0 and (sc.text[start - 1].isalnum() or sc.text[start - 1] in "_."):
        return fwd.end()  # inside a longer word
    if sum(c.isdigit() for c in fwd.group()) < 2 and fwd.end() - start < 17:
        return fwd.end()  # "A1C", "Covid-19"
    return _code_hit(sc, start, fwd.end())


def _h_hashid(sc: _Scan, m: re.Match[str]) -> int:
    found = len(sc.hits)
    end = _code_hit(sc, m.start() + 1, m.end())  # "medical record #RB-00456123"
    if len(sc.hits) > found:
        return end
    code = m.group()[1:]
    digits = sum(c.isdigit() for c in code)
    chars = len(code.replace("-", ""))
    long_code = digits >= 5 or (chars >= 6 and digits >= 3 and digits * 3 >= chars)
    if long_code and not _citation_context(sc, m.start()):
        sc.add("id", m.start() + 1, m.end(), "error",
               f"An identifying number in a patient story: {_quote(m.group())}")  # fmt: skip
    return m.end()


_NAME_RE = re.compile(_NAME)
_RELATION_WORDS = frozenset(_RELATIONS.replace("?", "").replace("[ée]e", "ee").split("|")) | {
    "sons", "daughters", "brothers", "sisters", "grandsons", "granddaughters", "twin", "fiance",
    "fiancee", "fiancé", "fiancée", "neighbor", "neighbour", "named", "called",
}  # fmt: skip
_RELATION_BEFORE = re.compile(
    r"\b(?:my|her|his|our|their|[a-z]+['’]s)\s+(?:(?:late|older|younger|little|big|baby|eldest|oldest|"
    r"youngest|middle|twin|new|newborn|infant|teenage|adult|two|beloved|best)\s+)?"
    rf"(?:{_RELATIONS})s?(?:,|\s+named|\s+called)?\s+$"
)
_THE_BEFORE = re.compile(r"\bthe\s*$")
_AND_NAME = re.compile(rf",?\s+and\s+({_NAME})")
# Lower case only: "Patient Portal", "Patient Financial Services" are names
# of hospital services.
_PATIENT_BEFORE = re.compile(r"\bpatients?\s+$")
_TITLE_BEFORE = re.compile(
    r"(?:\bdr\.?|\bdoctor|\bnurse|\bprof\.?|\bprofessor|\bpastor|\brev\.?|\bchaplain|\bcoach|"
    r"\bsurgeon|\bcardiologist|\bpediatrician|\bpsychiatrist|\btherapist|\bsenator|\bjudge|"
    r"\bmayor|\bgovernor|\bpresident|\bdirector|\bst\.)\s*$"
)
_NEXT_NAME = re.compile(rf"\s+(?:([{_UP}])\.\s+)?({_NAME})")
_AGE_AFTER_NAME = re.compile(r",\s+(\d{1,3})(?!\w|[.,/]\d|%)")
# A medical noun after a name makes it an eponym: "Turner syndrome",
# "Bell's palsy", "Graves' disease".
_EPONYM_AFTER = re.compile(
    r"(?:[’']s?)?\s+(?:disease|syndrome|palsy|lymphoma|sign|test|law|score|scale|criteria|"
    r"maneuver|manoeuvre|procedure|tumou?r|sarcoma|anomaly|phenomenon|classification|"
    r"esophagus|ulcer|reflex|fracture|disorder|encephalopathy|thyroiditis)\b"
)


def _preceded_by_title(sc: _Scan, start: int) -> bool:
    return bool(_TITLE_BEFORE.search(sc.before(start, 16)))


def _h_patientname(sc: _Scan, m: re.Match[str]) -> int:
    """'patient John Smith' (on any page) and 'Mrs. Lopez' (in a story)."""
    s = m.group()
    names = list(_NAME_RE.finditer(s))
    title = re.match(r"M(?:rs|r|s|iss|x)\b", s) is not None
    words = names[-1:] if title else names[:2]
    if any(_is_non_name(sc, w.group()) for w in words) or _in_heading(sc, m.start()):
        return m.start() + words[0].end()
    start, nend = m.start(), m.start() + words[-1].end()
    if _is_staff(sc, sc.text[m.start() + words[0].start() : nend]):
        return nend
    sc.add("name", start, nend, "error", f"A patient's name: {_quote(sc.text[start:nend])}")
    return nend


def _h_cap(sc: _Scan, m: re.Match[str]) -> int:
    """A capitalised word in a patient story: a patient or relative, maybe.

    It is a name after "my son", "her husband" or "patient"; a capitalised
    pair that is not staff, an eponym, a place or an organisation may be one.
    """
    first = m.group()
    start = m.start()
    if _is_non_name(sc, first, _EPONYM_AFTER.match(sc.low, m.end()) is not None):
        return m.end()
    nm = _NEXT_NAME.match(sc.text, m.end())
    second = (
        nm.group(2)
        if nm and not _is_non_name(sc, nm.group(2), _EPONYM_AFTER.match(sc.low, nm.end()) is not None)
        else None
    )
    name_end = nm.end() if second and nm else m.end()
    if _preceded_by_title(sc, start):
        return name_end
    before = sc.before(start, 60)
    tail = before.rstrip(" ,").rsplit(None, 1)
    if tail and tail[-1] in _RELATION_WORDS:
        rel = _RELATION_BEFORE.search(before)
        if rel:
            name = sc.text[start:name_end]
            if name in sc.ctx.allowed_names or _is_staff(sc, name):
                return name_end
            sc.add("name", start, name_end, "error",
                   f"The name of a relative in a patient story: {_quote(before[rel.start():] + name)}")  # fmt: skip
            # "our twins, Ava and Noah": the second name is a relative too.
            more = _AND_NAME.match(sc.text, name_end)
            if more and not _is_non_name(sc, more.group(1)) and more.group(1) not in sc.ctx.allowed_names:
                sc.add("name", more.start(1), more.end(1), "error",
                       f"The name of a relative in a patient story: {_quote(more.group(1))}")  # fmt: skip
                return more.end(1)
            return name_end
    if (
        tail
        and tail[-1] in ("patient", "patients")
        and second  # "patient John Smith": a full name
        and _PATIENT_BEFORE.search(sc.text, max(0, start - 12), start)
    ):
        if not _is_staff(sc, sc.text[start:name_end]):
            sc.add("name", start, name_end, "error",
                   f"A patient's name: {_quote(sc.text[start:name_end])}")  # fmt: skip
        return name_end
    if not nm:
        return m.end()
    if second is None:
        # "Maria Hospital", "Rosa March": the second word is no name; a
        # month may still open a date.
        return m.end() if nm.group(2) in _MONTH_NUMBERS else nm.end()
    pair_end = nm.end()
    pair = sc.text[start:pair_end]
    if _is_staff(sc, f"{first} {second}") or _is_staff(sc, second, surname_ok=True):
        return pair_end
    age = _AGE_AFTER_NAME.match(sc.text, pair_end)
    if age:
        # "Maria Lopez, 54": a full name with an age is a patient.
        sc.add("name", start, pair_end, "error",
               f"A patient's full name followed by an age: {_quote(sc.text[start:age.end()])}")  # fmt: skip
        if int(age.group(1)) >= 90:
            sc.add("age", age.start(1), age.end(1), "error", f"An age over 89: {_quote(age.group(1))}")
        return age.end()
    # A third capitalised word that names a place or organisation
    # ("Mercy General Hospital") makes the run an organisation.
    third = _NEXT_NAME.match(sc.text, pair_end)
    if third and _is_non_name(sc, third.group(2)):
        return third.end()
    if _THE_BEFORE.search(before[-6:]) or _EPONYM_AFTER.match(sc.low, pair_end):
        return pair_end
    if _in_heading(sc, start) or _citation_context(sc, start):
        return pair_end
    if first in sc.ctx.allowed_names:
        sc.add("name", start, pair_end, "error",
               f"A consented first name followed by a surname: {_quote(pair)}; "
               "the consent covers the first name only")  # fmt: skip
    else:
        sc.add("name", start, pair_end, "warning",
               f"A name-like pair in a patient story: {_quote(pair)}; "
               "if it names a patient or relative, remove it")  # fmt: skip
    return pair_end


_HANDLERS: dict[str, _Handler] = {
    "ssn": _h_ssn,
    "ip4": _h_ip4,
    "colon": _h_colon,
    "midcode": _h_midcode,
    "datenum": _h_datenum,
    "address": _h_address,
    "age": _h_age,
    "dayfirst": _h_dayfirst,
    "phone": _h_phone,
    "zip5": _h_zip5,
    "agenum": _h_agenum,
    "code": _h_code,
    "at": _h_at,
    "url": _h_url,
    "month": _h_month,
    "pobox": _h_pobox,
    "patientname": _h_patientname,
    "hashid": _h_hashid,
    "cap": _h_cap,
}

_SEVERITY_RANK = {"error": 2, "warning": 1}


def _resolve(hits: list[PhiHit]) -> list[PhiHit]:
    """Drop hits that overlap a stronger one: errors first, then longer spans."""
    hits.sort(key=lambda h: (h.start, h.end))
    out: list[PhiHit] = []
    cluster: list[PhiHit] = []
    cluster_end = -1
    for h in [*hits, None]:
        if h is not None and h.start < cluster_end:
            cluster.append(h)
            cluster_end = max(cluster_end, h.end)
            continue
        if len(cluster) == 1:
            out.append(cluster[0])
        elif cluster:
            ranked = sorted(cluster, key=lambda c: (-_SEVERITY_RANK[c.severity], c.start - c.end))
            kept: list[PhiHit] = []
            for c in ranked:
                if all(c.end <= k.start or c.start >= k.end for k in kept):
                    kept.append(c)
            out.extend(sorted(kept, key=lambda c: (c.start, c.end)))
        if h is not None:
            cluster, cluster_end = [h], h.end
    return out


def scan(text: str, ctx: PhiContext = PhiContext()) -> list[PhiHit]:  # noqa: B008
    """Every Safe Harbor identifier in ``text``, sorted by start offset."""
    pattern, groups = _PATTERNS[ctx.patient_context]
    sc = _Scan(text, ctx)
    search = pattern.search
    handlers = _HANDLERS
    pos, n = 0, len(text)
    while pos < n:
        m = search(text, pos)
        if m is None:
            break
        resume = handlers[groups[m.lastgroup]](sc, m)  # type: ignore[index]
        pos = resume if resume > m.start() else m.start() + 1
    return _resolve(sc.hits) if len(sc.hits) > 1 else sc.hits
