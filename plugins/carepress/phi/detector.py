"""Find HIPAA Safe Harbor identifiers (45 CFR 164.514(b)(2)) in page text.

A hospital that publishes a patient's name next to an admission date has a
breach, so every page is scanned before it is built. Authors only keep
trusting the scan if it is precise: an article about Parkinson's disease,
World Health Day on April 7 or "adults aged 90 and older" must come back
clean, while "my son Diego", "admitted March 3, 2025" and "(217) 555-2368"
must not slip through.

How it works (one pass):

1. ONE compiled candidate pattern, an alternation of named groups, finds
   every span that could be an identifier. There are two compilations of
   the same parts, chosen per page: patient stories add the name branches,
   which articles never need. Both are compiled once per process.
2. Each candidate goes to the handler named by its group. Only there do the
   costly checks run: ``phonenumbers`` parsing, check digits, and looking
   for context words ("admitted", "fax", "and older") in a small window
   around the span.
3. Overlapping hits are resolved (errors before warnings, longer spans
   first) and returned sorted by offset.

No library knows Safe Harbor, hospital pages or the traps of health
writing, so the patterns, word lists and context rules below are written by
hand; each block says what it stands for. Phone numbers are the exception:
``phonenumbers`` decides which digit runs are real numbers.
"""

from __future__ import annotations

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

    patient_context: bool = False
    allowed_names: frozenset[str] = frozenset()
    staff_names: frozenset[str] = frozenset()
    allowed_phones: frozenset[str] = frozenset()
    allowed_emails: frozenset[str] = frozenset()
    allowed_addresses: tuple[str, ...] = ()
    allowed_domains: frozenset[str] = frozenset()
    region: str = "US"


@dataclass(frozen=True)
class PhiHit:
    """One identifier found in the text; offsets are characters, end exclusive."""

    kind: str
    start: int
    end: int
    severity: str
    message: str
    hint: str


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

# Capitalised words that are never a person's first or last name in a
# patient story: sentence openers, pronouns, calendar words, titles.
_NOT_NAME_WORDS = frozenset(["A", "About", "Above", "Across", "After", "Afterward", "Afterwards", "Again", "Against", "Ago", "All", "Almost", "Along", "Already", "Also", "Although", "Always", "Am", "Among", "An", "And", "Another", "Any", "Anyone", "Anything", "Are", "Around", "As", "Ask", "At", "Away", "Back", "Be", "Because", "Been", "Before", "Being", "Below", "Best", "Better", "Between", "Both", "But", "By", "Can", "Could", "Dear", "Did", "Do", "Does", "Doing", "Done", "Down", "During", "Each", "Early", "Either", "Else", "Even", "Ever", "Every", "Everyone", "Everything", "Few", "Finally", "First", "For", "From", "Further", "Get", "Gets", "Getting", "Give", "Go", "Going", "Good", "Got", "Had", "Has", "Have", "Having", "He", "Hello", "Her", "Here", "Hers", "Herself", "Hi", "Him", "Himself", "His", "Home", "How", "However", "I", "If", "In", "Inside", "Instead", "Into", "Is", "It", "Its", "Just", "Keep", "Last", "Later", "Less", "Let", "Like", "Little", "Long", "Look", "Lots", "Made", "Make", "Many", "May", "Maybe", "Me", "Meanwhile", "Might", "More", "Most", "Much", "Must", "My", "Myself", "Near", "Never", "New", "Next", "No", "None", "Nor", "Not", "Nothing", "Now", "Of", "Off", "Often", "Oh", "Ok", "Okay", "On", "Once", "One", "Only", "Or", "Other", "Others", "Our", "Ours", "Out", "Over", "Own", "Part", "Per", "Perhaps", "Please", "Quite", "Rather", "Really", "Right", "Said", "Same", "See", "She", "Should", "Since", "So", "Some", "Someone", "Something", "Sometimes", "Soon", "Still", "Such", "Sure", "Take", "Than", "Thank", "Thanks", "That", "The", "Their", "Them", "Then", "There", "These", "They", "This", "Those", "Though", "Through", "Thus", "To", "Today", "Together", "Tomorrow", "Tonight", "Too", "Toward", "Towards", "Twice", "Under", "Until", "Up", "Upon", "Us", "Very", "Was", "We", "Well", "Were", "What", "Whatever", "When", "Whenever", "Where", "Whether", "Which", "While", "Who", "Whole", "Whom", "Whose", "Why", "Will", "With", "Within", "Without", "Would", "Yes", "Yesterday", "Yet", "You", "Your", "Yours", "Yourself", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten", "Eleven", "Twelve", "Twenty", "Hundred", "Thousand", "Second", "Third", "Call", "Read", "Learn", "Find", "Watch", "Visit", "Follow", "Share", "Join", "Sign", "Contact", "Talk", "Try", "Tell", "Use", "Stop", "Start", "Mom", "Dad", "Mum", "Mother", "Father", "Grandma", "Grandpa", "Grandmother", "Grandfather", "Nana", "Papa", "Aunt", "Uncle", "Baby", "Doctor", "Doctors", "Dr", "Nurse", "Nurses", "Chaplain", "Coach", "Pastor", "Father", "Sister", "Brother", "Mr", "Mrs", "Ms", "Miss", "Mx", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January", "February", "March", "April", "June", "July", "August", "September", "October", "November", "December", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec", "Spring", "Summer", "Fall", "Autumn", "Winter", "Christmas", "Easter", "Thanksgiving", "Halloween", "Passover", "Ramadan", "Hanukkah", "Eid", "Diwali", "Lunar", "Labor", "Memorial", "Independence", "Valentine", "Valentines", "Mother's", "Father's", "Year", "Years", "Day", "Days", "Week", "Weeks", "Month", "Months", "Eve", "Morning", "Afternoon", "Evening", "Night", "God", "Lord", "Jesus", "Bible", "Church", "Mass", "English", "Spanish", "Latino", "Latina", "Black", "White", "Asian", "Native"])

# Second (or third) words that make a capitalised pair an organisation, a
# place, a programme or a condition rather than a person.
_ORG_WORDS = frozenset(["Hospital", "Hospitals", "Health", "Healthcare", "Medical", "Medicine", "Center", "Centre", "Centers", "Clinic", "Clinics", "Care", "Institute", "Foundation", "Association", "Society", "Department", "Dept", "Unit", "Units", "Ward", "Wing", "Floor", "Room", "Rooms", "Emergency", "Intensive", "Services", "Service", "Program", "Programs", "Programme", "Team", "Teams", "Group", "Network", "System", "Systems", "Office", "Lab", "Laboratory", "Pharmacy", "Rehab", "Rehabilitation", "Hospice", "Home", "Homes", "University", "College", "School", "Schools", "Academy", "Library", "Church", "Chapel", "Temple", "Mosque", "Synagogue", "Company", "Inc", "Corp", "LLC", "Co", "Bank", "Market", "Store", "Shop", "Cafe", "Restaurant", "Hotel", "Inn", "Airport", "Station", "Stadium", "Arena", "Mall", "Plaza", "Gym", "YMCA", "YWCA", "Club", "League", "Council", "Board", "Committee", "Coalition", "Alliance", "Partnership", "Project", "Initiative", "Fund", "Trust", "Agency", "Administration", "Bureau", "Commission", "Authority", "Court", "Police", "Fire", "Army", "Navy", "Corps", "County", "City", "Town", "Township", "Village", "State", "States", "Province", "District", "Region", "Valley", "River", "Lake", "Creek", "Mountain", "Mountains", "Hill", "Hills", "Park", "Parks", "Forest", "Beach", "Bay", "Island", "Islands", "Springs", "Falls", "Heights", "Street", "Avenue", "Road", "Boulevard", "Lane", "Drive", "Way", "Place", "Highway", "Route", "Trail", "Square", "Bridge", "North", "South", "East", "West", "Northern", "Southern", "Eastern", "Western", "Central", "Upper", "Lower", "Greater", "Metro", "Disease", "Diseases", "Syndrome", "Disorder", "Disorders", "Lymphoma", "Sarcoma", "Tumor", "Tumour", "Cancer", "Palsy", "Score", "Scale", "Test", "Criteria", "Classification", "Sign", "Maneuver", "Manoeuvre", "Procedure", "Operation", "Protocol", "Heart", "Lung", "Kidney", "Liver", "Brain", "Stroke", "Diabetes", "Cardiology", "Oncology", "Neurology", "Pediatrics", "Paediatrics", "Surgery", "Radiology", "Orthopedics", "Obstetrics", "Gynecology", "Psychiatry", "Psychology", "Nursing", "Day", "Week", "Month", "Awareness", "Month's", "Walk", "Run", "Race", "Marathon", "Challenge", "Campaign", "Drive", "Fair", "Festival", "Act", "Law", "Rule", "Plan", "Plans", "Insurance", "Medicare", "Medicaid", "Marketplace", "Survey", "Study", "Trial", "Report", "Journal", "Review", "Guidelines", "Guideline", "Statement", "Update", "News", "Times", "Post", "Press", "Magazine", "Radio", "Television", "TV", "American", "America", "National", "International", "World", "Global", "United", "Kingdom", "Canada", "Canadian", "Federal", "Children's", "Childrens", "Women's", "Womens", "Men's", "Veterans", "Family", "Families", "Community", "Public", "Memorial", "General", "Regional", "Saint", "St", "Mount", "Mt", "Our", "Lady", "Mercy", "Providence", "Baptist", "Methodist", "Presbyterian", "Lutheran", "Catholic", "Adventist", "Jewish", "Kaiser", "Permanente", "Mayo", "Clinic", "Cleveland", "Johns", "Hopkins", "Red", "Cross", "Blue", "Shield", "Scouts", "Girl", "Boy"])

# Eponyms: people's names that name diseases, tests and scores. A pair that
# contains one ("Hodgkin Lymphoma", "Guillain-Barré Syndrome") is medicine.
_EPONYMS = frozenset(["Addison", "Addison's", "Alzheimer", "Alzheimer's", "Angelman", "Apgar", "Asperger", "Asperger's", "Babinski", "Barr", "Barré", "Barrett", "Barrett's", "Bell", "Bell's", "Braden", "Bright", "Burkitt", "Charcot", "Conn", "Creutzfeldt", "Crohn", "Crohn's", "Cushing", "Cushing's", "Danlos", "Down", "Down's", "Duchenne", "Dupuytren", "Ehlers", "Ellison", "Epley", "Epstein", "Ewing", "Fallot", "Gaucher", "Gehrig", "Gehrig's", "Glasgow", "Graves", "Graves'", "Guillain", "Guillain-Barré", "Hansen", "Hashimoto", "Hashimoto's", "Heberden", "Heimlich", "Hirschsprung", "Hodgkin", "Hodgkin's", "Huntington", "Huntington's", "Jakob", "Kaposi", "Kawasaki", "Klinefelter", "Korsakoff", "Legg", "Lewy", "Lou", "Lyme", "Mallory", "Marfan", "Meckel", "Meniere", "Ménière", "Munchausen", "Noonan", "Osgood", "Paget", "Paget's", "Pap", "Parkinson", "Parkinson's", "Perthes", "Peyronie", "Prader", "Raynaud", "Raynaud's", "Reye", "Reye's", "Rett", "Sachs", "Schlatter", "Sjogren", "Sjögren", "Sheehan", "Tay", "Tourette", "Tourette's", "Turner", "Valsalva", "Wernicke", "Whipple", "Willi", "Wilms", "Wolff", "Zollinger", "Kaplan", "Meier", "Gleason", "Breslow", "Bishop", "Snellen", "Rinne", "Weber", "Romberg", "Trendelenburg", "Kernig", "Brudzinski", "Murphy", "McBurney", "Homan", "Homans", "Tanner", "Wells", "Framingham", "Likert", "Karnofsky", "Lown", "Heimlich", "Medicare", "Medicaid"])

# "my son Diego": relatives whose name in a story is a patient identifier.
_RELATIONS = (
    "son|daughter|wife|husband|mother|mom|mum|mama|father|dad|papa|brother|sister|sibling|"
    "grandson|granddaughter|grandchild|grandmother|grandma|grandfather|grandpa|nana|"
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
_PERSONAL_HOSTS = frozenset(["facebook.com", "fb.com", "m.facebook.com", "instagram.com", "twitter.com", "x.com", "tiktok.com", "linkedin.com", "youtube.com", "threads.net", "threads.com", "pinterest.com", "snapchat.com", "reddit.com", "medium.com", "gofundme.com", "caringbridge.org", "substack.com", "tumblr.com", "linktr.ee", "bsky.app", "mastodon.social", "patreon.com", "venmo.com", "paypal.me", "cash.app", "twitch.tv", "flickr.com", "vimeo.com"])
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
# The candidate pattern. Every branch is a named group; sub-parts are not
# captured (handlers re-read a candidate with a small pattern of their own).
# --------------------------------------------------------------------------

_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\b\.?"
)
_MONTH_ABBR = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
_UP = "A-ZÀ-ÖØ-Þ"
_LO = "a-zß-öø-ÿ"
_NAME = rf"[{_UP}][{_LO}]+(?:[-'’][{_UP}][{_LO}]+)?"
_URLCH = r"[^\s<>()\[\]{}\"'`]"
_STREET_TYPES = (
    r"Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|"
    r"Terrace|Ter|Circle|Cir|Parkway|Pkwy|Highway|Hwy|Trail|Trl|Square|Sq|Alley|Loop|Pike|"
    r"Crossing|Xing|Row|Path|Plaza"
)
_SOCIAL = (
    r"facebook|fb|instagram|twitter|x|tiktok|linkedin|youtube|threads|pinterest|snapchat|"
    r"reddit|medium|gofundme|caringbridge|substack|tumblr|linktr"
)

# Keyword-introduced identifiers: keyword (case-insensitive, written in
# lower case, each starting with a plain letter) -> kind. Longer keywords
# come first inside each alternation.
_KEYWORDS: list[tuple[str, str]] = [
    (r"medical\s+records?(?:\s+(?:number|no\.?|num|#|id))?", "mrn"),
    (r"mrn", "mrn"),
    (r"chart\s+(?:number|no\.?|#)", "mrn"),
    (r"patient\s+(?:id|number|no\.?|#)", "mrn"),
    (r"hospital\s+(?:number|no\.?)", "mrn"),
    (r"record\s+(?:number|no\.?|#)", "mrn"),
    (r"member\s+(?:id|number|no\.?|#)", "health-plan"),
    (r"subscriber\s+(?:id|number|no\.?|#)", "health-plan"),
    (r"insurance\s+policy\s+(?:id|number|no\.?|#)", "health-plan"),
    (r"policy\s+(?:id|number|no\.?|#)", "health-plan"),
    (r"group\s+(?:id|number|no\.?|#)", "health-plan"),
    (r"insurance\s+(?:id|number|no\.?|card\s+number)", "health-plan"),
    (r"medicare\s+(?:id|number|no\.?|card\s+number|beneficiary\s+identifier)", "health-plan"),
    (r"medicaid\s+(?:id|number|no\.?|card\s+number)", "health-plan"),
    (r"beneficiary\s+(?:id|identifier|number|no\.?)", "health-plan"),
    (r"health\s+plan\s+(?:id|number|no\.?)", "health-plan"),
    (r"plan\s+id", "health-plan"),
    (r"mbi", "health-plan"),
    (r"account\s+(?:number|no\.?|num|#)", "account"),
    (r"acct\.?(?:\s+(?:number|no\.?|#))?", "account"),
    (r"billing\s+(?:number|no\.?|account)", "account"),
    (r"claim\s+(?:number|no\.?|#)", "account"),
    (r"invoice\s+(?:number|no\.?|#)", "account"),
    (r"licen[cs]e\s+plate(?:\s+(?:number|no\.?|#))?", "vehicle"),
    (r"number\s+plate", "vehicle"),
    (r"plate(?:\s+(?:number|no\.?|#))?", "vehicle"),
    (r"tag\s+(?:number|no\.?|#)", "vehicle"),
    (r"vin", "vehicle"),
    (r"vehicle\s+identification\s+number", "vehicle"),
    (r"driver(?:'|’)?s\s+licen[cs]e(?:\s+(?:number|no\.?|#))?", "license"),
    (r"driving\s+licen[cs]e(?:\s+(?:number|no\.?|#))?", "license"),
    (r"licen[cs]e\s+(?:number|no\.?|num|#)", "license"),
    (r"certificate\s+(?:number|no\.?|#)", "license"),
    (r"permit\s+(?:number|no\.?|#)", "license"),
    (r"registration\s+(?:number|no\.?|#)", "license"),
    (r"serial(?:\s+(?:number|no\.?|num|#))?", "device"),
    (r"s/n", "device"),
    (r"sn:", "device"),
    (r"device\s+(?:id|identifier|number|no\.?|serial)", "device"),
    (r"udi", "device"),
    (r"imei", "device"),
    (r"implant\s+(?:id|card\s+number|number|serial)", "device"),
    (r"social\s+security(?:\s+(?:number|no\.?|#))?", "ssn"),
    (r"ssn", "ssn"),
]
# Generic identifiers, flagged only in patient context.
_GENERIC_KEYWORDS = [
    r"identification(?:\s+(?:number|no\.?|code|#))?",
    r"id(?:\s+(?:number|no\.?|code|#))?",
    r"number",
    r"no\.",
    *(
        rf"{w}(?:\s+(?:number|no\.?|code|#))?"
        for w in ("case", "confirmation", "reference", "ticket", "booking", "order", "tracking")
    ),
]

_CODE = r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){2,24}"
_KW_FILLER = r"[\s:#.]*(?:(?:is|was|number|no\.?|#|id)[\s:#.]*){0,2}"


def _by_first_letter(words: list[str]) -> list[str]:
    """Case-insensitive alternations, one per first letter, each opening
    with a character class.

    Python's ``re`` skips an alternative cheaply when its first item is a
    literal or a character class, but enters every ``(?i:...)`` group; so
    ``(?i:mrn|member ...)`` is written ``[Mm](?i:rn|ember ...)``.
    """
    groups: dict[str, list[str]] = {}
    for w in words:
        assert w[0].isalpha(), w
        groups.setdefault(w[0].lower(), []).append(w[1:])
    return [f"[{c.upper()}{c}](?i:{'|'.join(rest)})" for c, rest in groups.items()]


# Each branch is (handler, regex). A regex must open with a literal or a
# character class (see _by_first_letter). Branches in _WORD_START run only
# where a word starts; those in _NON_WORD open with punctuation.
_DIGIT_BRANCHES: list[tuple[str, str]] = [
    ("ssn", r"\d{3}-\d{2}-\d{4}(?![\d-])"),
    ("ip4", r"\d{1,3}(?:\.\d{1,3}){3}(?![\d.]|\.\d)"),
    ("datenum",
     r"\d{4}-\d{1,2}-\d{1,2}(?![\d-])|\d{4}/\d{1,2}/\d{1,2}(?![\d/])"
     r"|\d{1,2}/\d{1,2}/(?:\d{4}|\d{2})(?![\d/])|\d{1,2}-\d{1,2}-\d{4}(?![\d-])"
     rf"|\d{{4}}\s+{_MONTH_ABBR}\s+\d{{1,2}}(?!\d)"),
    ("address",
     r"\d{1,6}(?:-?[A-Z])?\s+(?:[NSEW]\.?\s+|(?:North|South|East|West)\s+)?"
     rf"(?:(?:\d{{1,3}}(?:st|nd|rd|th)|[{_UP}][\w'’.-]*)\s+){{1,3}}(?:{_STREET_TYPES})\b\.?"
     r"(?:,?\s+(?:Apt|Apartment|Unit|Suite|Ste|#)\.?\s*#?[\w-]+)?"),
    ("age",
     r"\d{2,3}(?:[- ](?:years?|yrs?)[- ]olds?\b|\s+years?\s+(?:old|of\s+age)\b"
     r"|(?:st|nd|rd|th)\s+birthday\b)"),
    ("dayfirst", rf"\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}(?:,?\s+\d{{4}}(?!\d))?"),
    ("phone",
     r"1[\s.-]\(?\d{3}\)?[\s.-]?\d{3}[\s.-]\d{4}(?!\d)|\d{3}[\s.-]\d{3}[\s.-]\d{4}(?!\d)"
     r"|\d{10}(?!\d)"),
    ("zip5", r"\d{5}(?:-\d{4})?(?![\d,]|\.\d)"),
]  # fmt: skip

_NON_WORD: list[tuple[str, str]] = [
    ("at", r"@(?=\w)"),
    ("phone", r"\(\d{3}\)\s?\d{3}[\s.-]?\d{4}(?!\d)"),
    ("phone", r"\+\d[\d\s().-]{6,18}\d(?!\d)"),
]

_REL_TAIL = (
    r"\s+(?:(?i:late|older|younger|little|big|baby|eldest|oldest|youngest|middle|twin|new|"
    rf"newborn|infant|teenage|adult|two|beloved|best)\s+)?(?i:{_RELATIONS})"
    rf"(?:,|\s+named|\s+called)?\s+{_NAME}(?:\s+{_NAME})?"
)
_KW_TAIL = rf"(?:(?<=[#.:])|(?!\w))(?:{_KW_FILLER}){_CODE}"

_WORD_START: list[tuple[str, str]] = [
    ("url", rf"[Hh][Tt][Tt][Pp][Ss]?://{_URLCH}+"),
    ("url", rf"www\.{_URLCH}+"),
    *(("url", rf"{alt}\.(?i:com|net|org|ee|me|app)/{_URLCH}+")
      for alt in _by_first_letter(_SOCIAL.split("|"))),
    # An IPv6 or MAC address. The look-behinds sit after the first
    # character so that the branch still opens with a class.
    ("hexid", r"[0-9A-Fa-f](?<![:.].)[0-9A-Fa-f]{0,3}(?::[0-9A-Fa-f]{0,4}){2,7}(?![\w:])"),
    ("hexid", r"[0-9A-Fa-f](?<![:.-].)[0-9A-Fa-f](?:[:-][0-9A-Fa-f]{2}){5}(?![\w:-])"),
    ("vin", r"[A-HJ-NPR-Z0-9](?<!-.)[A-HJ-NPR-Z0-9]{16}(?![\w-])"),
    *(("kwid", rf"{alt}{_KW_TAIL}") for alt in _by_first_letter([k for k, _ in _KEYWORDS])),
    ("pobox", r"[Pp]\.?\s?[Oo]\.?\s*[Bb][Oo][Xx]\s+\d{1,6}\b"),
    ("pobox", r"[Pp](?i:ost\s+office\s+box)\s+\d{1,6}\b"),
    ("zipkw",
     r"[ZzPp](?i:(?<=[Zz])ip(?:\s*codes?)?|(?<=[Pp])ostal\s+codes?)[\s:#]*"
     r"(?:(?i:prefix(?:es)?|area|starting\s+with|beginning\s+with|is|of|was)\s*)*"
     r"\d{3}(?:\d{2})?(?:-\d{4})?(?:\*\*|[xX]{2})?(?!\d)"),
    ("agekw", r"[Aa](?i:ged?|ges|t\s+age)\s+\d{2,3}(?!\d)"),
    ("agekw", r"[Tt](?i:urned|urns|urning)\s+\d{2,3}(?!\d)"),
    ("dateword", rf"{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?(?![\d:.]\d|\d|%)"
                 r"(?:,?\s+\d{4}(?!\d))?"),
]  # fmt: skip

# Branches for pages about a patient only.
_STORY_WORD_START: list[tuple[str, str]] = [
    *(("genid", rf"{alt}(?!\w)[\s:]*#?\s?{_CODE}") for alt in _by_first_letter(_GENERIC_KEYWORDS)),
    ("relation", rf"[Mm]y{_REL_TAIL}"),
    ("relation", rf"[Hh](?:er|is){_REL_TAIL}"),
    ("relation", rf"[Oo]ur{_REL_TAIL}"),
    ("relation", rf"[Tt]heir{_REL_TAIL}"),
    ("patientname", rf"[Pp]atient\s+{_NAME}\s+{_NAME}"),
    ("patientname", rf"M(?:rs|r|s|iss|x)\b\.?\s+{_NAME}"),
    ("monthyear", rf"{_MONTH},?\s+(?:of\s+)?\d{{4}}(?!\d)"),
    ("nameage", rf"{_NAME}\s+{_NAME},\s+\d{{1,3}}(?![\d.%/,]\d|\d|%)"),
    ("pronage", r"[Ss]he\s+(?:is|was|turned)\s+\d{2,3}(?![\d.]\d|\d)"),
    ("pronage", r"[Hh]e\s+(?:is|was|turned)\s+\d{2,3}(?![\d.]\d|\d)"),
    ("pronage", r"I\s+(?:am|was|turned)\s+\d{2,3}(?![\d.]\d|\d)"),
    ("pronage", rf"{_NAME}\s+(?:is|was|turned)\s+\d{{2,3}}(?![\d.]\d|\d)"),
    ("cap", rf"[{_UP}](?<![.'’-].)[{_LO}]+(?:[-'’][{_UP}][{_LO}]+)?"
            rf"(?=\s+(?:[{_UP}]\.\s+)?[{_UP}][{_LO}])"),
]  # fmt: skip
_STORY_NON_WORD: list[tuple[str, str]] = [
    ("genid", rf"#(?<![\w&]#){_CODE}"),
]
# "patient John Smith" is a breach on any page, story or not.
_ARTICLE_WORD_START: list[tuple[str, str]] = [
    ("patientname", rf"[Pp]atient\s+{_NAME}\s+{_NAME}"),
]


def _compile(patient: bool) -> tuple[re.Pattern[str], dict[str, str]]:
    """The candidate pattern and, for each of its groups, the handler name.

    Every branch ends in an empty named group; ``Match.lastgroup`` names the
    branch that matched. (A group around the whole branch would make the
    branch open with a group marker, which ``re`` cannot skip cheaply.)
    """
    names: dict[str, str] = {}

    def alts(branches: list[tuple[str, str]]) -> str:
        out = []
        for handler, rx in branches:
            g = f"{handler.replace('-', '_')}_{len(names)}"
            names[g] = handler
            out.append(f"{rx}(?P<{g}>)")
        return "|".join(out)

    non_word = _NON_WORD + (_STORY_NON_WORD if patient else [])
    word = _WORD_START + (_STORY_WORD_START if patient else _ARTICLE_WORD_START)
    digits = alts(_DIGIT_BRANCHES)
    pattern = (
        f"{alts(non_word)}"
        f"|\\b(?:(?=\\d)(?<![.,$/+-])(?:{digits})|{alts(word)})"
    )
    return re.compile(pattern), names


_PATTERNS = {False: _compile(False), True: _compile(True)}

# --------------------------------------------------------------------------
# Small helpers used by the handlers.
# --------------------------------------------------------------------------

_Handler = Callable[["_Scan", re.Match[str]], int]


class _Scan:
    """The state of one ``scan`` call: the text, its context and the hits."""

    __slots__ = ("text", "ctx", "hits", "_low", "org_words", "allowed_ends")

    def __init__(self, text: str, ctx: PhiContext) -> None:
        self.text = text
        self.ctx = ctx
        self.hits: list[PhiHit] = []
        self._low: str | None = None
        # Words of the hospital's own domains ("riverbend") are organisation
        # words: "Riverbend Heart" is a service line, not a person.
        words: set[str] = set()
        for d in ctx.allowed_domains:
            for w in re.split(r"[.\-]", d):
                if len(w) > 2:
                    words.add(w.lower())
        self.org_words = words
        # Where the hospital's own address lines end: its ZIP code follows.
        self.allowed_ends: list[int] = []

    @property
    def low(self) -> str:
        if self._low is None:
            self._low = self.text.lower()
        return self._low

    def add(self, kind: str, start: int, end: int, severity: str, message: str) -> None:
        self.hits.append(PhiHit(kind, start, end, severity, message, _HINTS[kind]))

    def before(self, start: int, n: int = 40) -> str:
        """Lower-cased text up to ``n`` characters before ``start``, same line."""
        lo = max(0, start - n)
        chunk = self.low[lo:start]
        nl = chunk.rfind("\n")
        return chunk[nl + 1 :] if nl >= 0 else chunk

    def after(self, end: int, n: int = 40) -> str:
        chunk = self.low[end : end + n]
        nl = chunk.find("\n")
        return chunk[:nl] if nl >= 0 else chunk

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


# A sentence ends at . ! ? followed by a space, or at a line break.
_SENTENCE_END = re.compile(r"[.!?](?=\s)|\n")


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


def _is_non_name(sc: _Scan, word: str) -> bool:
    base = word[:-2] if word.endswith(("'s", "’s")) else word
    return (
        word in _NOT_NAME_WORDS
        or word in _ORG_WORDS
        or word in _EPONYMS
        or base in _EPONYMS
        or base in _ORG_WORDS
        or word.lower() in sc.org_words
        or any(part in _EPONYMS for part in word.split("-"))
    )


def _heading_or_link_text(sc: _Scan, start: int) -> bool:
    line = sc.line(start).lstrip()
    return line.startswith("#")


# Lines that cite a source: dates, numbers and URLs on them are bibliography.
_CITATION_LINE = re.compile(
    r"\bet al\b|\bdoi\b|\bpmid\b|\bpmcid\b|\bisbn\b|\baccessed\b|\bretrieved\b|"
    r"https?://doi\.org|^\s*\[\^[^\]]+\]:|\[@",
    re.I,
)
_FRONT_MATTER_DATE_KEY = re.compile(
    r"^\s*-?\s*(?:date|published|updated|modified|created|reviewed|last_reviewed|next_review|"
    r"expires|signed|accessed|issued|date_published|date_modified|review_date)\s*:",
    re.I,
)


def _citation_context(sc: _Scan, start: int) -> bool:
    line = sc.line(start)
    return bool(_CITATION_LINE.search(line) or _FRONT_MATTER_DATE_KEY.match(line))


# --------------------------------------------------------------------------
# Handlers. Each returns the offset to resume the search from.
# --------------------------------------------------------------------------


def _h_ssn(sc: _Scan, m: re.Match[str]) -> int:
    s = m.group()
    area, group, serial = s.split("-")
    if area in ("000", "666") or area.startswith("9") or group == "00" or serial == "0000":
        return m.end()
    sc.add("ssn", m.start(), m.end(), "error", f"A Social Security number: {_quote(s)}")
    return m.end()


def _h_ip4(sc: _Scan, m: re.Match[str]) -> int:
    s = m.group()
    try:
        ipaddress.IPv4Address(s)
    except ValueError:
        return m.end()
    if re.search(r"(?:version|\bv|section|§)\s*$", sc.before(m.start(), 12)):
        return m.end()
    sc.add("ip", m.start(), m.end(), "error", f"An IP address: {_quote(s)}")
    return m.end()


def _h_hexid(sc: _Scan, m: re.Match[str]) -> int:
    s = m.group()
    if re.fullmatch(r"[0-9A-Fa-f]{2}(?:([:-])[0-9A-Fa-f]{2})(?:\1[0-9A-Fa-f]{2}){4}", s):
        sc.add("device", m.start(), m.end(), "error", f"A device (MAC) address: {_quote(s)}")
        return m.end()
    if s.count(":") < 2 or not re.search(r"[0-9]", s) and "::" not in s:
        return m.end()
    try:
        ipaddress.IPv6Address(s)
    except ValueError:
        return m.end()
    if re.fullmatch(r"[0-9:]+", s) and "::" not in s:
        return m.end()  # a clock time such as 12:30:45 is not an address
    sc.add("ip", m.start(), m.end(), "error", f"An IP address: {_quote(s)}")
    return m.end()


# Words that, near a date, tie it to one person's care or life.
_PERSON_EVENT = re.compile(
    r"\b(?:admitted|admission|admit|discharged?|born|birth|birthday|dob|died|death|passed away|"
    r"surgery|operated|operation|diagnosed|diagnosis|delivered|transplant|procedure|"
    r"hospitali[sz]ed|seizure|stroke|heart attack|accident|injured|ambulance|intubated|"
    r"date of (?:birth|death|service|admission|discharge|visit))\b"
)
# Public observances: the date belongs to a calendar, not to a person.
# Observances are proper nouns: "World Health Day, April 7", "April 7 is
# World Health Day". Lower-case "the next day, March 4" is not one.
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
        _OBSERVANCE_AFTER.match(sc.text[end : end + 60])
    )
    if sc.ctx.patient_context:
        if observance:
            sc.add("date", start, end, "warning",
                   f"A public observance date in a patient story: {_quote(s)}; check it does not date the patient's care")  # fmt: skip
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
            what = "full date"
        else:
            # "2019 Apr 16" is how PubMed and Vancouver citations write dates.
            if re.match(r"\s*[;:.(]", sc.after(m.end(), 3)):
                return m.end()
            month, day, what = _MONTH_NUMBERS[parts[1]], int(parts[2]), "full date"
        return _date_hit(sc, m, day, month, what)
    a, b, _ = re.split(r"[-/]", s)
    month, day = int(a), int(b)
    if month > 12 and day <= 12 and sc.ctx.region not in ("US", "CA", "PH"):
        month, day = day, month
    elif month > 12:
        month, day = day, month  # 14/3/2025: day first
    return _date_hit(sc, m, day, month, "full date")


def _h_dayfirst(sc: _Scan, m: re.Match[str]) -> int:
    mm = re.match(r"(\d{1,2})\D+?(?:of\s+)?([A-Z][a-z]+)", m.group())
    if not mm or mm.group(2) not in _MONTH_NUMBERS:
        return m.end()
    what = "full date" if re.search(r"\d{4}$", m.group()) else "day and month"
    return _date_hit(sc, m, int(mm.group(1)), _MONTH_NUMBERS[mm.group(2)], what)


def _h_dateword(sc: _Scan, m: re.Match[str]) -> int:
    mm = re.match(r"([A-Z][a-z]+)\.?\s+(\d{1,2})", m.group())
    if not mm:
        return m.end()
    # "May 5 mg" or "March 3 times": a number with a unit is not a day.
    if re.match(r"\s*(?:mg|mcg|g|kg|lb|lbs|ml|ml|times|percent|%|hours?|days|weeks|years|"
                r"minutes|people|patients|of\s+(?:us|them|the))\b", sc.after(m.end(), 20)):  # fmt: skip
        return m.end()
    what = "full date" if re.search(r"\d{4}$", m.group()) else "day and month"
    return _date_hit(sc, m, int(mm.group(2)), _MONTH_NUMBERS[mm.group(1)], what)


def _h_monthyear(sc: _Scan, m: re.Match[str]) -> int:
    # Only compiled for patient pages: a month and year may date the care.
    if _citation_context(sc, m.start()):
        return m.end()
    sc.add("date", m.start(), m.end(), "warning",
           f"A month and year in a patient story: {_quote(m.group())}; say only the year or the season if it dates the care")  # fmt: skip
    return m.end()


# Phrases that make an age a statement about a population, not a person.
_POP_AFTER = re.compile(
    r"^\s*(?:years?(?:\s+of\s+age)?|-?\s*years?-?\s*olds?)?\s*(?:\+|and\s+(?:older|over|up|above)"
    r"|or\s+(?:older|over|more|above)|(?:to|through|-|–|and)\s*\d)"
)
_POP_BEFORE = re.compile(
    r"(?:over|above|under|older\s+than|younger\s+than|at\s+least|beyond|past|between|from|"
    r"ages|adults|people|persons|those|women|men|patients|anyone|everyone|individuals|residents|"
    r"seniors|centenarians|americans|children|population|group|groups)\s+(?:aged?\s+)?$"
)


def _age_hit(
    sc: _Scan, m: re.Match[str], age_start: int, age_end: int, span_start: int | None = None
) -> int:
    age = int(sc.text[age_start:age_end])
    if not 90 <= age <= 125:
        return m.end()
    s = m.group()
    if re.search(r"year[- ]olds\b", s) or s.lower().startswith("ages"):
        return m.end()  # "92-year-olds", "ages 90": a group
    if _POP_AFTER.match(sc.low[age_end : age_end + 30]) or _POP_AFTER.match(sc.after(m.end(), 30)):
        return m.end()
    if _POP_BEFORE.search(sc.before(m.start(), 30)):
        return m.end()
    start = m.start() if span_start is None else span_start
    sc.add("age", start, m.end(), "error", f"An age over 89: {_quote(sc.text[start:m.end()])}")
    return m.end()


def _h_age(sc: _Scan, m: re.Match[str]) -> int:
    n = re.match(r"\d+", m.group())
    assert n
    return _age_hit(sc, m, m.start(), m.start() + n.end())


def _h_agekw(sc: _Scan, m: re.Match[str]) -> int:
    n = re.search(r"\d+$", m.group())
    assert n
    return _age_hit(sc, m, m.start() + n.start(), m.end())


_UNIT_AFTER = re.compile(
    r"\s*(?:%|percent|mg|mcg|g\b|kg|lb|lbs|pounds?|kilos?|ml|mm|cm|inches|feet|ft|degrees|°|"
    r"beats|bpm|points?|steps|miles|minutes|min|hours|days|weeks|months|times|calories|"
    r"units|mmhg|mg/dl|/)",
)


def _h_pronage(sc: _Scan, m: re.Match[str]) -> int:
    if _UNIT_AFTER.match(sc.low, m.end()):
        return m.end()
    first = m.group().split()[0]
    if first not in ("She", "she", "He", "he", "I") and _is_non_name(sc, first):
        return m.end()
    n = re.search(r"\d+$", m.group())
    assert n
    return _age_hit(sc, m, m.start() + n.start(), m.end(), span_start=m.start() + n.start())


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


def _h_pobox(sc: _Scan, m: re.Match[str]) -> int:
    if _allowed_address(sc, m.group()):
        sc.allowed_ends.append(m.end())
    else:
        sc.add("address", m.start(), m.end(), "error", f"A post office box: {_quote(m.group())}")
    return m.end()


_STATE_BEFORE = re.compile(rf"(?:\b(?:{_STATE_ABBR})\.?|\b(?:{_STATE_NAMES})),?\s*$")
_ZIP_WORD_BEFORE = re.compile(r"\b(?:zip|postal|zip\s*code)\b[^.\n]{0,12}$", re.I)
_ZIP_UNIT_AFTER = re.compile(
    r"\s*(?:[a-z]+\s+){0,1}(?:steps|people|patients|adults|children|babies|births|deaths|cases|"
    r"visits|miles|feet|calories|dollars|units|mg|mcg|ml|words|members|residents|nurses|times|"
    r"hours|days|years|americans|women|men|kids|doses|pounds)\b"
)


def _h_zip5(sc: _Scan, m: re.Match[str]) -> int:
    start, end, s = m.start(), m.end(), m.group()
    before_raw = sc.text[max(0, start - 30) : start]
    if sc.text[start - 1 : start] in ("#",) or before_raw.endswith("$"):
        return end
    if any(0 <= start - e <= 80 for e in sc.allowed_ends[-2:]) or any(
        s in a for a in sc.ctx.allowed_addresses
    ):
        return end  # the hospital's own ZIP code
    restricted = s[:3] in RESTRICTED_ZIP3
    addressy = bool(_STATE_BEFORE.search(before_raw) or _ZIP_WORD_BEFORE.search(before_raw))
    if not addressy:
        addressy = any(h.kind == "address" and 0 <= start - h.end <= 40 for h in sc.hits[-3:])
    if addressy:
        sc.add("zip", start, end, "error", f"A ZIP code in an address: {_quote(s)}")
    elif sc.ctx.patient_context and not _citation_context(sc, start):
        if _ZIP_UNIT_AFTER.match(sc.low, end) or re.search(r"\b(?:pmid|pmcid|id|no\.?|#)\s*$", sc.before(start, 10)):
            return end
        sev = "error" if restricted else "warning"
        sc.add("zip", start, end, sev, f"A five-digit number that may be a ZIP code: {_quote(s)}")
    return end


def _h_zipkw(sc: _Scan, m: re.Match[str]) -> int:
    digits = re.search(r"\d{3}(?:\d{2})?(?:-\d{4})?(?:\*\*|[xX]{2})?$", m.group())
    assert digits
    d = digits.group()
    start = m.start() + digits.start()
    if len(d.rstrip("*xX")) == 3 and d[:3] not in RESTRICTED_ZIP3:
        return m.end()  # "ZIP codes starting with 617": a 3-digit prefix is allowed
    msg = (
        f"A restricted 3-digit ZIP prefix: {_quote(d)} (Safe Harbor requires 000)"
        if len(d.rstrip("*xX")) == 3
        else f"A ZIP code: {_quote(d)}"
    )
    sc.add("zip", start, m.end(), "error", msg)
    return m.end()


def _h_phone(sc: _Scan, m: re.Match[str]) -> int:
    s = m.group()
    digits = re.sub(r"\D", "", s)
    if len(digits) == 10 and s.isdigit():
        # A bare 10-digit run is a phone number only where a page says so.
        if not re.search(r"\b(?:call|phone|cell|mobile|tel|text|fax|reach|number|dial)\b", sc.before(m.start(), 30)):
            return m.end()
    if re.match(r"\s*(?:mm\s*hg|mg|%)", sc.low[m.end() : m.end() + 6]):
        return m.end()
    try:
        num = phonenumbers.parse(s, sc.ctx.region)
    except phonenumbers.NumberParseException:
        return m.end()
    if not phonenumbers.is_valid_number(num):
        return m.end()
    e164 = phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)
    if e164 in sc.ctx.allowed_phones or e164 in _PUBLIC_HOTLINES:
        return m.end()
    # Toll-free numbers belong to organisations (hospitals, insurers,
    # agencies); no patient can be reached through one.
    if phonenumbers.number_type(num) in (
        phonenumbers.PhoneNumberType.TOLL_FREE,
        phonenumbers.PhoneNumberType.SHARED_COST,
    ):
        return m.end()
    if "fax" in sc.before(m.start(), 25):
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
        label = d.lower().split(".")
        label = label[1] if label[0] == "www" and len(label) > 1 else label[0]
        if n and (_squash(label) == n or (len(n) >= 6 and _squash(label).startswith(n))):
            return True
    return False


def _h_at(sc: _Scan, m: re.Match[str]) -> int:
    at = m.start()
    text = sc.text
    prev = text[at - 1 : at]
    if prev and (prev.isalnum() or prev in "._%+-"):
        # The local part of an e-mail address ends just before the '@'.
        lm = _EMAIL_LOCAL_BACK.search(text, max(0, at - 64), at)
        dm = _EMAIL_DOMAIN.match(text, at + 1)
        if not lm or not dm:
            return m.end()
        start, end = lm.start(), dm.end()
        # The local part was not a hit of its own (a name pair, say).
        addr = text[start:end]
        domain = dm.group()
        if addr.lower() in {e.lower() for e in sc.ctx.allowed_emails} or _domain_allowed(sc, domain):
            return end
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
    name = hm.group().split("@")[0]
    if _hospital_account(sc, name):
        return hm.end()
    sev = "error" if sc.ctx.patient_context else "warning"
    sc.add("handle", at, hm.end(), sev, f"A social media handle: {_quote(text[at:hm.end()])}")
    return hm.end()


def _h_url(sc: _Scan, m: re.Match[str]) -> int:
    s = m.group().rstrip(".,;:!?*_")
    end = m.start() + len(s)
    full = s if "://" in s else "https://" + s
    try:
        parts = urlsplit(full)
    except ValueError:
        return end
    host = (parts.hostname or "").lower()
    if not host or _domain_allowed(sc, host):
        return end
    bare = host[4:] if host.startswith("www.") else host
    segs = [p for p in parts.path.split("/") if p]
    personal = False
    if bare in _PERSONAL_HOSTS or bare.endswith(".facebook.com"):
        if segs and segs[0].lower() not in _NON_PERSONAL_PATHS:
            who = segs[1] if segs[0].lower() in ("in", "u", "user", "c", "channel", "p", "r", "fundraiser", "visit") and len(segs) > 1 else segs[0]
            personal = not _hospital_account(sc, who.lstrip("@"))
    elif bare.endswith(_PERSONAL_HOST_SUFFIXES):
        sub = bare.split(".")[0]
        personal = not _hospital_account(sc, sub)
    elif any(p.startswith(("~", "@")) for p in segs):
        personal = True
    if personal:
        sev = "error" if sc.ctx.patient_context else "warning"
        sc.add("url", m.start(), end, sev, f"A personal web address: {_quote(s)}")
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
    """The ISO 3779 / 49 CFR 565 check digit (position 9) for a 17-character VIN."""
    total = sum(_VIN_VALUES[c] * w for c, w in zip(vin.upper(), _VIN_WEIGHTS, strict=True))
    r = total % 11
    return "X" if r == 10 else str(r)


def _h_vin(sc: _Scan, m: re.Match[str]) -> int:
    s = m.group()
    if s.isdigit() or s.isalpha() or vin_check_digit(s) != s[8]:
        return m.end()
    sc.add("vehicle", m.start(), m.end(), "error", f"A vehicle identification number: {_quote(s)}")
    return m.end()


_KW_SPLIT = re.compile(rf"(?i:{'|'.join(k for k, _ in _KEYWORDS)})")
_KW_KINDS = [(re.compile(rf"(?i:{k})$"), kind) for k, kind in _KEYWORDS]
_KIND_LABEL = {
    "mrn": "A medical record number",
    "health-plan": "A health plan or member number",
    "account": "An account number",
    "license": "A licence or certificate number",
    "vehicle": "A licence plate or vehicle number",
    "device": "A device serial number",
    "ssn": "A Social Security number",
    "id": "An identifying number",
}


def _h_kwid(sc: _Scan, m: re.Match[str]) -> int:
    s = m.group()
    km = _KW_SPLIT.match(s)
    assert km
    kw = km.group()
    kind = next(k for p, k in _KW_KINDS if p.match(" ".join(kw.split())) or p.match(kw))
    code_m = re.search(rf"{_CODE}$", s)
    assert code_m
    code = code_m.group()
    if not any(c.isdigit() for c in code):
        return m.end()
    if kind == "vehicle" and kw.lower().startswith(("plate", "number plate", "tag")):
        # "plate 7XYZ123": plates mix letters and digits; "plate 2" does not.
        if not (any(c.isalpha() for c in code) and len(code) >= 5):
            return m.end()
    digits = sum(c.isdigit() for c in code)
    if kind == "ssn" and digits != 9:
        return m.end()
    # "serial 2-hour glucose tests" is not a serial number: an identifier
    # has three digits, or two digits among five or more characters.
    if kind != "vehicle" and digits < 3 and not (digits >= 2 and len(code) >= 5):
        return m.end()
    if kind == "vehicle" and kw.lower() == "vin" and len(code) != 17:
        return m.end()
    sc.add(kind, m.start() + code_m.start(), m.end(), "error",
           f"{_KIND_LABEL[kind]} after '{' '.join(kw.split())}': {_quote(code)}")  # fmt: skip
    return m.end()


def _h_genid(sc: _Scan, m: re.Match[str]) -> int:
    s = m.group()
    code_m = re.search(rf"{_CODE}$", s)
    assert code_m
    code = code_m.group()
    digits = sum(c.isdigit() for c in code)
    chars = len(code.replace("-", ""))
    # A long code: five digits or more, or six or more characters of which a
    # third are digits. "Room 412", "number 2" and "#Heart2Heart" are not.
    if digits < 5 and not (chars >= 6 and digits >= 3 and digits * 3 >= chars):
        return m.end()
    if _citation_context(sc, m.start()) or _UNIT_AFTER.match(sc.low, m.end()):
        return m.end()
    sc.add("id", m.start() + code_m.start(), m.end(), "error",
           f"An identifying number in a patient story: {_quote(code)}")  # fmt: skip
    return m.end()


_NAME_RE = re.compile(_NAME)


_REL_SPLIT = re.compile(rf"(?P<rel>.+?)(?:,|\s+named|\s+called)?\s+(?P<n1>{_NAME})(?:\s+(?P<n2>{_NAME}))?$", re.S)


def _h_relation(sc: _Scan, m: re.Match[str]) -> int:
    parts = _REL_SPLIT.match(m.group())
    assert parts
    n1, n2 = parts.group("n1"), parts.group("n2")
    if _is_non_name(sc, n1) or _is_staff(sc, n1):
        return m.start() + parts.start("n1")
    nstart = m.start() + parts.start("n1")
    nend = m.start() + (parts.end("n1") if not n2 or _is_non_name(sc, n2) else parts.end("n2"))
    name = sc.text[nstart:nend]
    if name in sc.ctx.allowed_names:
        return nend
    sc.add("name", nstart, nend, "error",
           f"The name of a relative in a patient story: {_quote(parts.group('rel') + ' ' + name)}")  # fmt: skip
    return nend


def _h_patientname(sc: _Scan, m: re.Match[str]) -> int:
    s = m.group()
    names = list(_NAME_RE.finditer(s))
    if s.lower().startswith("patient"):
        names = names[1:] if names and names[0].group().lower().startswith("patient") else names
        words = names[-2:]
    else:
        words = names[-1:]
    if any(_is_non_name(sc, w.group()) for w in words) or _heading_or_link_text(sc, m.start()):
        return m.start() + words[0].start() if words else m.end()
    nstart, nend = m.start() + words[0].start(), m.start() + words[-1].end()
    name = sc.text[nstart:nend]
    if _is_staff(sc, name):
        return nend
    start = m.start() if not s.lower().startswith("patient") else nstart
    sc.add("name", start, nend, "error", f"A patient's name: {_quote(sc.text[start:nend])}")
    return nend


def _h_nameage(sc: _Scan, m: re.Match[str]) -> int:
    s = m.group()
    w = list(_NAME_RE.finditer(s))[:2]
    first, last = w[0].group(), w[1].group()
    if _is_non_name(sc, first) or _is_non_name(sc, last) or _is_staff(sc, f"{first} {last}"):
        return m.start() + w[0].end()
    if _preceded_by_title(sc, m.start()):
        return m.start() + w[1].end()
    age_m = re.search(r"\d+$", s)
    assert age_m
    nend = m.start() + w[1].end()
    sc.add("name", m.start(), nend, "error",
           f"A patient's full name followed by an age: {_quote(s)}")  # fmt: skip
    age_start = m.start() + age_m.start()
    if int(age_m.group()) >= 90:
        sc.add("age", age_start, m.end(), "error", f"An age over 89: {_quote(age_m.group())}")
    return m.end()


_TITLE_BEFORE = re.compile(
    r"(?:\bdr\.?|\bdoctor|\bnurse|\bprof\.?|\bprofessor|\bpastor|\brev\.?|\bchaplain|\bcoach|"
    r"\bsurgeon|\bcardiologist|\bpediatrician|\bpsychiatrist|\btherapist|\bsenator|\bjudge|"
    r"\bmayor|\bgovernor|\bpresident|\bdirector|\bst\.)\s*$"
)


def _preceded_by_title(sc: _Scan, start: int) -> bool:
    return bool(_TITLE_BEFORE.search(sc.before(start, 16)))


_NEXT_NAME = re.compile(rf"\s+(?:([{_UP}])\.\s+)?({_NAME})")


def _h_cap(sc: _Scan, m: re.Match[str]) -> int:
    """A capitalised pair in a patient story: maybe a patient or relative."""
    first = m.group()
    nm = _NEXT_NAME.match(sc.text, m.end())
    if not nm:
        return m.end()
    second = nm.group(2)
    pair_end = nm.end()
    if _is_non_name(sc, second):
        return pair_end if second not in _MONTH_NUMBERS else m.end()
    if _is_non_name(sc, first):
        return m.end()
    # A third capitalised word that names a place or organisation
    # ("Mercy General Hospital") makes the whole run an organisation.
    third = _NEXT_NAME.match(sc.text, pair_end)
    if third and _is_non_name(sc, third.group(2)):
        return third.end()
    pair = f"{first} {second}"
    if _is_staff(sc, pair) or _is_staff(sc, second, surname_ok=True):
        return pair_end
    if _preceded_by_title(sc, m.start()) or re.search(r"\bthe\s*$", sc.before(m.start(), 6)):
        return pair_end
    if _heading_or_link_text(sc, m.start()) or _citation_context(sc, m.start()):
        return pair_end
    if sc.text.startswith(("'s ", "’s "), pair_end) and re.match(
        r"[’']s\s+(?:disease|syndrome|lymphoma|palsy|sign|test)", sc.low[pair_end : pair_end + 20]
    ):
        return pair_end
    if first in sc.ctx.allowed_names:
        sc.add("name", m.start(), pair_end, "error",
               f"A consented first name followed by a surname: {_quote(sc.text[m.start():pair_end])}; the consent covers the first name only")  # fmt: skip
    else:
        sc.add("name", m.start(), pair_end, "warning",
               f"A name-like pair in a patient story: {_quote(sc.text[m.start():pair_end])}; if it names a patient or relative, remove it")  # fmt: skip
    return pair_end


_HANDLERS: dict[str, _Handler] = {
    "ssn": _h_ssn,
    "ip4": _h_ip4,
    "datenum": _h_datenum,
    "address": _h_address,
    "age": _h_age,
    "dayfirst": _h_dayfirst,
    "phone": _h_phone,
    "zip5": _h_zip5,
    "url": _h_url,
    "at": _h_at,
    "hexid": _h_hexid,
    "vin": _h_vin,
    "kwid": _h_kwid,
    "pobox": _h_pobox,
    "zipkw": _h_zipkw,
    "agekw": _h_agekw,
    "dateword": _h_dateword,
    "genid": _h_genid,
    "relation": _h_relation,
    "patientname": _h_patientname,
    "monthyear": _h_monthyear,
    "nameage": _h_nameage,
    "pronage": _h_pronage,
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
    pos = 0
    n = len(text)
    while pos < n:
        m = search(text, pos)
        if m is None:
            break
        group = m.lastgroup
        assert group is not None
        resume = _HANDLERS[groups[group]](sc, m)
        pos = resume if resume > m.start() else m.start() + 1
    if len(sc.hits) < 2:
        return sc.hits
    return _resolve(sc.hits)
