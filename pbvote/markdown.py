"""Markdown written by residents and staff, rendered to HTML that cannot carry a script.

Two layers: markdown-it-py with raw HTML switched off (so ``<script>`` becomes text), then nh3 with an
allowlist of tags, attributes and URL schemes, so that even a bug in the first layer cannot let markup
through. Headings are shifted down so a writer's ``#`` never competes with the page's own ``<h1>``.
"""

from __future__ import annotations

from functools import cache

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markupsafe import Markup

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr", "strong", "em", "s", "code", "pre", "blockquote",
        "ul", "ol", "li", "a", "h3", "h4", "h5", "h6",
        "table", "thead", "tbody", "tr", "th", "td",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"scope"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow noopener ugc"
HEADING_SHIFT = 2  # '#' becomes <h3>: pages put the title in <h1> and the section in <h2>


def _shift_headings(state: StateCore) -> None:
    """Demote every heading so user text sits under the page's own headings."""
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            level = min(6, int(token.tag[1]) + HEADING_SHIFT)
            token.tag = f"h{level}"


@cache
def _parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    parser.enable(["table", "strikethrough"]).disable("image")  # images only through the upload form
    parser.core.ruler.push("shift_headings", _shift_headings)
    return parser


def sanitize_html(html: str) -> str:
    """Keep only the allowlisted tags, attributes and URL schemes; links get rel=nofollow etc."""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
        clean_content_tags={"script", "style"},
    )


def render_markdown(text: str | None) -> Markup:
    """Markdown to safe HTML, ready for a template (``{{ text|markdown }}``)."""
    if not text:
        return Markup("")
    return Markup(sanitize_html(_parser().render(text)))  # noqa: S704 - sanitised by nh3 just above  # nosec B704
