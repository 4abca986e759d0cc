"""What readers see: published posts and author pages (no sign-in)."""

from quart import Blueprint, abort, g, render_template, request
from sqlalchemy import select

from .models import Post, User

bp = Blueprint("reader", __name__)

PAGE = 10


@bp.route("/")
async def index():
    page = max(1, request.args.get("page", 1, type=int))
    posts = (await g.db.scalars(
        select(Post).where(Post.published.is_(True)).order_by(Post.published_at.desc())
        .offset((page - 1) * PAGE).limit(PAGE))).all()
    return await render_template("reader/index.html", posts=posts, page=page)


@bp.route("/posts/<int:post_id>")
async def show(post_id: int):
    post = await g.db.scalar(select(Post).where(Post.id == post_id, Post.published.is_(True)))
    if post is None:
        abort(404)
    return await render_template("reader/show.html", post=post)


@bp.route("/authors/<username>")
async def author(username: str):
    writer = await g.db.scalar(select(User).where(User.username == username))
    if writer is None:
        abort(404)
    posts = (await g.db.scalars(
        select(Post).where(Post.author_id == writer.id, Post.published.is_(True))
        .order_by(Post.published_at.desc()))).all()
    return await render_template("reader/author.html", writer=writer, posts=posts)
