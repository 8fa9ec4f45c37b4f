"""Where a page body has code, as pymdownx.superfences reads it: shared by
the rules that must not read code as markup and by the readability measure,
which must not count it as prose."""

from __future__ import annotations

import re

# A fence as pymdownx.superfences reads one: ``` or ~~~, then at most a
# language, attributes in braces or key=value options. Any other text after
# the fence ("``` !!!") makes it an ordinary line, and what follows it live
# Markdown, so it must not be blanked as code.
FENCE_INFO = (  # each part ends at white space or the line's end, so a long word cannot be split two ways
    r"""(?:[ \t]*\.?[\w#.+-]+(?=[ \t]|$))?"""
    r"""(?:[ \t]*\{[^\n]*\}|(?:[ \t]*[a-zA-Z]\w*(?:=(?:"[^"\n]*"|'[^'\n]*'))?(?=[ \t]|$))+)?[ \t]*"""
)
FENCE = re.compile(r"^(?P<fence>`{3,}|~{3,})" + FENCE_INFO + r"\n.*?^(?P=fence)[`~]*[ \t]*$", re.M | re.S)
# An escaped backtick (\`) opens no code span.
INLINE_CODE = re.compile(r"(?<![\\`])`[^`\n]*`")
