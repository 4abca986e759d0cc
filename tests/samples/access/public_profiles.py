"""Profile and message pages of a Flask community site where every page needs a signed-in member: a
member's public profile lists only rows that are not hidden or banned, so loading anyone's by id is the
point (AR102 look-alike), as is a published article. A private message loaded by id with no check that
it was sent to the caller is anyone's to read (AR102)."""

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from .models import Article, Message, Team, Users

community = Blueprint("community", __name__)


@community.route("/users/<int:user_id>")
@login_required
def public(user_id):
    user = Users.query.filter_by(id=user_id, banned=False, hidden=False).first_or_404()
    return render_template("users/public.html", user=user)


@community.route("/teams/<int:team_id>")
@login_required
def team(team_id):
    team = Team.query.filter(Team.id == team_id, Team.hidden == False).first_or_404()  # noqa: E712
    return render_template("teams/public.html", team=team, members=team.members)


@community.route("/articles/<int:article_id>")
@login_required
def article(article_id):
    article = Article.query.filter_by(id=article_id, published=True).first_or_404()
    return render_template("articles/show.html", article=article)


@community.route("/messages/<int:message_id>")
@login_required
def message(message_id):
    message = Message.query.filter_by(id=message_id).first_or_404()  # expect: AR102
    return render_template("messages/show.html", message=message, reader=current_user)
