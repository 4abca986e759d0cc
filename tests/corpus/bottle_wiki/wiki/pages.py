"""Pages and drafts. The wiki is for the team only: every route needs ``@login_required``."""

from bottle import Bottle, abort, request, response

from .auth import current_user_id, login_required
from .models import Draft, Page, Revision

pages_app = Bottle()


def _page_json(page: Page) -> dict:
    return {"slug": page.slug, "title": page.title, "body": page.body, "updated_at": page.updated_at.isoformat()}


def _draft_json(draft: Draft) -> dict:
    return {"id": draft.id, "title": draft.title, "body": draft.body, "page_id": draft.page_id}


@pages_app.get("/pages")
@login_required
def list_pages(db):
    pages = db.query(Page).order_by(Page.title).all()
    return {"pages": [{"slug": p.slug, "title": p.title} for p in pages]}


@pages_app.get("/pages/<slug>")
@login_required
def show_page(slug, db):
    page = db.query(Page).filter_by(slug=slug).first()
    if page is None:
        abort(404, "No such page")
    return _page_json(page)


@pages_app.get("/pages/<slug>/history")
def page_history(slug, db):  # expect: AR101
    page = db.query(Page).filter_by(slug=slug).first()
    if page is None:
        abort(404, "No such page")
    return {
        "revisions": [
            {"id": r.id, "author": r.author.email, "summary": r.summary, "body": r.body,
             "created_at": r.created_at.isoformat()}
            for r in page.revisions
        ]
    }


@pages_app.get("/drafts")
@login_required
def my_drafts(db):
    drafts = db.query(Draft).filter(Draft.author_id == current_user_id()).order_by(Draft.updated_at.desc()).all()
    return {"drafts": [_draft_json(d) for d in drafts]}


@pages_app.post("/drafts")
@login_required
def create_draft(db):
    data = request.json or {}
    draft = Draft(author_id=current_user_id(), title=str(data.get("title", "Untitled"))[:200], body=str(data.get("body", "")))
    db.add(draft)
    db.commit()
    response.status = 201
    return _draft_json(draft)


@pages_app.get("/drafts/<draft_id:int>")
@login_required
def show_draft(draft_id, db):
    draft = db.query(Draft).filter_by(id=draft_id, author_id=current_user_id()).first()
    if draft is None:
        abort(404, "No such draft")
    return _draft_json(draft)


@pages_app.post("/drafts/<draft_id:int>/publish")
@login_required
def publish_draft(draft_id, db):
    draft = db.get(Draft, draft_id)
    if draft is None or draft.author_id != current_user_id():
        abort(404, "No such draft")
    slug = str((request.json or {}).get("slug", "")).strip().lower()
    page = db.get(Page, draft.page_id) if draft.page_id else Page(slug=slug, title=draft.title)
    page.title, page.body = draft.title, draft.body
    db.add(page)
    db.add(Revision(page=page, author_id=current_user_id(), body=draft.body, summary="Published from a draft"))
    db.delete(draft)
    db.commit()
    return _page_json(page)


@pages_app.delete("/drafts/<draft_id:int>")
@login_required
def delete_draft(draft_id, db):
    draft = db.get(Draft, draft_id)  # expect: AR102
    if draft is None:
        abort(404, "No such draft")
    db.delete(draft)
    db.commit()
    response.status = 204
