"""The author's desk: drafts, writing, publishing, deleting."""

from datetime import UTC, datetime

from quart import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select

from .auth import login_required
from .models import Post

bp = Blueprint("editor", __name__, url_prefix="/write")


async def get_post(post_id: int, check_author: bool = True) -> Post:
    """The post, 404 if there is none and 403 if it is someone else's (Flaskr's ``get_post``)."""
    post = await g.db.get(Post, post_id)
    if post is None:
        abort(404, f"Post id {post_id} doesn't exist.")
    if check_author and post.author_id != g.user.id:
        abort(403)
    return post


@bp.route("/")
@login_required
async def drafts():
    posts = (await g.db.scalars(
        select(Post).where(Post.author_id == g.user.id).order_by(Post.updated_at.desc()))).all()
    return await render_template("editor/drafts.html", posts=posts)


@bp.route("/new", methods=["GET", "POST"])
@login_required
async def create():
    if request.method == "POST":
        form = await request.form
        title = form.get("title", "").strip()
        if not title:
            await flash("Title is required.")
            return await render_template("editor/edit.html"), 400
        post = Post(author_id=g.user.id, title=title[:200], body=form.get("body", ""))
        g.db.add(post)
        await g.db.commit()
        return redirect(url_for("editor.update", post_id=post.id))
    return await render_template("editor/edit.html")


@bp.route("/<int:post_id>", methods=["GET", "POST"])
@login_required
async def update(post_id: int):
    post = await get_post(post_id)
    if request.method == "POST":
        form = await request.form
        post.title = form.get("title", post.title).strip()[:200]
        post.body = form.get("body", post.body)
        await g.db.commit()
        await flash("Saved.")
    return await render_template("editor/edit.html", post=post)


@bp.route("/<int:post_id>/preview")
async def preview(post_id: int):  # expect: AR101
    """The draft rendered with the reader's template, opened in a new tab from the editor."""
    post = await g.db.scalar(select(Post).where(Post.id == post_id))
    if post is None:
        abort(404)
    return await render_template("reader/show.html", post=post, preview=True)


@bp.post("/<int:post_id>/publish")
@login_required
async def publish(post_id: int):
    post = await g.db.get(Post, post_id)
    if post is None or post.author_id != g.user.id:
        abort(404)
    post.published = True
    post.published_at = post.published_at or datetime.now(UTC)
    await g.db.commit()
    return redirect(url_for("reader.show", post_id=post.id))


@bp.post("/<int:post_id>/delete")
@login_required
async def delete(post_id: int):
    post = await g.db.get(Post, post_id)  # expect: AR102
    if post is None:
        abort(404)
    await g.db.delete(post)
    await g.db.commit()
    await flash("Post deleted.")
    return redirect(url_for("editor.drafts"))
