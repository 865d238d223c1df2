"""The "from an article" page: paste or upload an article, see its findings highlighted, save
a draft scenario or compare it with a scenario of the library (thin over
:mod:`detente.evidence`, through :mod:`detente.web.article`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from detente.errors import InputError
from detente.web import article
from detente.web.pages import library_context, ref_of, render

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
#: The largest form field read (an article's text, with room for its newlines as CR LF).
_PART = 2 * article.MAX_ARTICLE_UPLOAD + 1024


def _choices(request: Request) -> list[Any]:
    """The library's scenarios that can be compared with (drafts and broken files left out)."""
    return [e for e in library_context(request)["entries"] if "actors" in e]


@router.get("/article", response_class=HTMLResponse)
def article_form(request: Request) -> HTMLResponse:
    return render(
        request, "article.html", title="From an article", choices=_choices(request), form={}
    )


@router.post("/article", response_class=HTMLResponse)
async def article_read(request: Request) -> HTMLResponse:
    data = await request.form(max_fields=10, max_part_size=_PART)
    form = {k: v for k, v in data.items() if isinstance(v, str)}
    given = data.get("file")
    filename, content = None, None
    if given is not None and not isinstance(given, str) and given.filename:
        filename = given.filename
        content = await given.read(article.MAX_ARTICLE_UPLOAD + 1)
    try:
        read = article.read(form.get("text", ""), filename, content)
        as_of = article.as_of_of(form.get("as_of", ""))
        target = None
        if form.get("compare"):
            where, _, name = form["compare"].partition("/")
            target = ref_of(where, name).load(request.app.state.workspace)
        found = article.extracted(read, as_of, target)
    except InputError as err:
        return render(
            request,
            "article.html",
            400,
            title="From an article",
            choices=_choices(request),
            form=form,
            error=str(err),
        )
    return render(
        request,
        "article.html",
        title=f"Article {read.name}",
        choices=_choices(request),
        form=form,
        found=found,
        marked=article.highlighted(found),
        compared=article.comparison(found, target) if target is not None else None,
        target=target,
    )


@router.post("/article/draft")
async def article_draft(request: Request) -> Response:
    """Save the article's text and its draft scenario in the workspace; open the draft."""
    from detente.evidence import article_from_text

    data = await request.form(max_fields=10, max_part_size=_PART)
    form = {k: v for k, v in data.items() if isinstance(v, str)}
    raw = form.get("text", "").replace("\r\n", "\n")
    if not raw.strip():
        raise InputError("no article text came with the form: read the article again")
    if len(raw.encode("utf-8")) > article.MAX_ARTICLE_UPLOAD:
        raise InputError(
            f"the article is over {article.MAX_ARTICLE_UPLOAD // 1024 // 1024} MiB; not saved"
        )
    as_of = article.as_of_of(form.get("as_of", ""))
    wanted = "draft-" + (form.get("name", "") or "article").rsplit(".", 1)[0]

    def draft(file: str) -> str:
        found = article.extracted(article_from_text(raw, file), as_of)
        if not found.actors:
            raise InputError("no actor found in the article: there is nothing to draft")
        return article.draft_text(found, file)

    name = request.app.state.workspace.add_draft(wanted, raw, draft)
    return RedirectResponse(f"/s/workspace/{name}", status_code=303)
