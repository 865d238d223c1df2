"""Reading an article: bounded, UTF-8, text or saved HTML, with page furniture blanked out.

The text the extractor works on keeps every character's place: furniture lines (navigation,
"Click here", "Follow related authors", bylines, column lists) are overwritten with spaces, so
that every offset found points into the article as read. A saved HTML page is first reduced to
its text (scripts, styles, navigation, headers and footers dropped); offsets then point into
that text, which a draft cites as its source.
"""

from __future__ import annotations

import html
import re
import stat
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from detente.errors import InputError

__all__ = ["MAX_ARTICLE_BYTES", "Article", "article_from_text", "normalise", "read_article"]

#: Larger files are refused unread: a long news article is well under 1 MB of text, and a saved
#: page with its markup under 5 MB.
MAX_ARTICLE_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class Article:
    """An article as the extractor reads it.

    ``text`` is the article (from HTML: its text), furniture blanked with spaces, same length
    as ``raw``; ``raw`` is the text before blanking, which quotes are checked against;
    ``from_html`` says whether ``raw`` came out of an HTML page.
    """

    name: str
    raw: str
    text: str
    from_html: bool = False


def read_article(path: str | Path) -> Article:
    """Read an article file, refusing what is not a readable text article.

    Raises
    ------
    InputError
        Naming the file: missing, not a regular file, empty, larger than
        :data:`MAX_ARTICLE_BYTES`, binary, or not UTF-8 (the byte and line).
    """
    path = Path(path)
    name = str(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise InputError(f"{name}: no such file") from None
    except (OSError, ValueError) as err:
        raise InputError(f"{name}: cannot be read ({_reason(err)})") from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError(f"{name}: is a folder; give an article file (text or saved HTML)")
    if not stat.S_ISREG(info.st_mode):
        raise InputError(f"{name}: is not a regular file")
    if info.st_size > MAX_ARTICLE_BYTES:
        raise InputError(
            f"{name}: is {info.st_size / 1024**2:.1f} MB; articles are limited to "
            f"{MAX_ARTICLE_BYTES // 1024**2} MB (a long news article is well under 1 MB)"
        )
    try:
        data = path.read_bytes()
    except OSError as err:
        raise InputError(f"{name}: cannot be read ({_reason(err)})") from None
    return article_from_bytes(data, name)


def article_from_bytes(data: bytes, name: str) -> Article:
    """An article from the bytes of a file called ``name`` (see :func:`read_article`)."""
    if not data.strip():
        raise InputError(f"{name}: is empty; there is no text to read")
    if b"\x00" in data[:8192]:
        if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
            raise InputError(f"{name}: looks like UTF-16 text; save it as UTF-8")
        raise InputError(f"{name}: is a binary file, not text or HTML")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        from detente.scenario._text import not_utf8  # here: the scenario package loads pydantic

        raise InputError(f"{name}: {not_utf8(data, err)}") from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _looks_like_html(text):
        return article_from_text(html_text(text), name, from_html=True)
    return article_from_text(text, name)


def article_from_text(text: str, name: str = "<text>", *, from_html: bool = False) -> Article:
    """An article from its text: furniture lines blanked, offsets kept."""
    return Article(name, text, strip_furniture(text), from_html)


#: Typographic variants read as their plain forms, one character for one (offsets are kept):
#: spaces of other widths, hyphens that do not break, low and reversed quotation marks.
_PLAIN = str.maketrans(
    {
        "\u00a0": " ",
        "\u2002": " ",
        "\u2003": " ",
        "\u2007": " ",
        "\u2009": " ",
        "\u200a": " ",
        "\u202f": " ",
        "\u2010": "-",
        "\u2011": "-",
        "\u201e": "“",
        "\u201f": "“",
        "\u201b": "‘",
        "\uff02": '"',
    }
)
#: An apostrophe between two letters, in any of its forms ("Indiaʼs", "India’s", "India`s"):
#: read as "'".
_APOSTROPHE = re.compile(r"(?<=\w)[\u2019\u02bc\u02b9\u00b4\u0060\u2032\uff07](?=\w)")


def normalise(text: str) -> str:
    """``text`` with typographic variants in their plain form, every character in its place
    (same length): apostrophes between letters become "'", other spaces " ", other hyphens
    "-"."""
    return _APOSTROPHE.sub("'", text.translate(_PLAIN))


def _reason(err: Exception) -> str:
    return err.strerror if isinstance(err, OSError) and err.strerror else str(err)


# --- page furniture ------------------------------------------------------------------------------

#: Navigation and widget lines: short, no sentence of their own.
_NAV = re.compile(
    r"""^(?:
        skip\ to\ (?:main\ )?content
      | click\ here\b.*
      | follow\ related\ authors.*
      | authors\ and\ topics\ you\ follow\b.*
      | interact\ with\ .*
      | past\ columns?\b.*
      | (?:more|related|read\ more|see\ also|most\ popular|recommended|trending)\b.{0,60}
      | (?:share|tweet|email|print|comments?|advertisement|subscribe|sign\ (?:up|in)|log\ ?in
         |newsletter|cookie\ policy|privacy\ policy|terms\ of\ use|back\ to\ top|menu|home)\b.{0,40}
      | (?:©|copyright\b).*
      | by\ [A-Z][\w.'-]+(?:\ [A-Z][\w.'-]+){0,3}(?:,\ [^.]{0,60})?
      | (?:photo|image|video|graphic)\s*(?::|credit).*
    )$""",
    re.IGNORECASE | re.VERBOSE,
)
#: An author's one-line biography at the foot of a column.
_BIO = re.compile(
    r"^[A-Z][\w.'-]+(?: [A-Z][\w.'-]+){0,3} is (?:a |an |the )?(?:deputy |senior |former )?"
    r"(?:director|fellow|professor|columnist|correspondent|reporter|editor|analyst|writer|"
    r"researcher|contributor)\b[^.]{0,120}\.?$",
    re.IGNORECASE,
)


def strip_furniture(text: str) -> str:
    """``text`` with furniture lines overwritten by spaces (line breaks kept)."""
    out = []
    for line in text.split("\n"):
        if line.strip() and _is_furniture(line):
            out.append(" " * len(line))
        else:
            out.append(line)
    return "\n".join(out)


def _is_furniture(line: str) -> bool:
    stripped = line.strip()
    if len(stripped) > 300:
        return False
    if _has_quote(stripped):
        return False
    if _BIO.match(stripped):
        return True
    sentence = stripped[-1] in ".!?" and len(stripped.split()) > 8
    if not sentence and _NAV.match(stripped):
        return True
    # a column or link list heading ("Past Columns in ... by ...:") ends in a colon, no verb
    return stripped.endswith(":") and len(stripped.split()) <= 12 and '"' not in stripped


def _has_quote(line: str) -> bool:
    return '"' in line or "“" in line


# --- HTML ----------------------------------------------------------------------------------------

_HTML_START = re.compile(r"^\s*(?:<!doctype\s+html|<html\b|<head\b|<body\b|<meta\b)", re.I)


def _looks_like_html(text: str) -> bool:
    return bool(_HTML_START.match(text[:2048])) or (
        text.lstrip().startswith("<") and "</p>" in text.lower()
    )


class _TextOfPage(HTMLParser):
    """The readable text of a page: paragraphs and headings, one per line; scripts, styles,
    navigation, headers, footers, asides and forms dropped."""

    SKIP = frozenset(
        {
            "script",
            "style",
            "nav",
            "header",
            "footer",
            "aside",
            "form",
            "noscript",
            "svg",
            "button",
            "select",
            "template",
            "iframe",
        }
    )
    BLOCK = frozenset(
        {
            "p",
            "div",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "li",
            "br",
            "tr",
            "blockquote",
            "section",
            "article",
            "title",
            "figcaption",
            "td",
        }
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_text(page: str) -> str:
    """The text of an HTML page: one paragraph per block, blank lines between them."""
    parser = _TextOfPage()
    parser.feed(page)
    parser.close()
    text = html.unescape("".join(parser.parts))
    lines = [" ".join(line.split()) for line in text.split("\n")]
    paragraphs = [line for line in lines if line]
    return "\n\n".join(paragraphs) + "\n"
