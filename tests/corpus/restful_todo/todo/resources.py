"""The REST resources (flask-restful). They are registered on the ``Api`` in ``app.py``.

Every resource needs an access token (``method_decorators = [jwt_required()]``) except
``TokenResource``, which exchanges a username and password for one.
"""

from flask_jwt_extended import create_access_token, current_user, jwt_required
from flask_restful import Resource, abort, reqparse

from .extensions import db, limiter
from .models import TodoItem, TodoList, User

login_parser = reqparse.RequestParser()
login_parser.add_argument("username", type=str, required=True, location="json")
login_parser.add_argument("password", type=str, required=True, location="json")

list_parser = reqparse.RequestParser()
list_parser.add_argument("title", type=str, required=True, help="A list needs a title", location="json")

item_parser = reqparse.RequestParser()
item_parser.add_argument("text", type=str, required=True, location="json")
item_parser.add_argument("position", type=int, default=0, location="json")

item_patch_parser = reqparse.RequestParser()
item_patch_parser.add_argument("text", type=str, location="json")
item_patch_parser.add_argument("done", type=bool, location="json")


class TokenResource(Resource):
    decorators = [limiter.limit("5 per minute")]

    def post(self):
        args = login_parser.parse_args()
        user = db.session.scalar(db.select(User).filter_by(username=args["username"]))
        if user is None or not user.check_password(args["password"]):
            abort(401, message="Wrong username or password")
        return {"access_token": create_access_token(identity=user)}, 201


class TodoListCollection(Resource):
    method_decorators = [jwt_required()]

    def get(self):
        lists = db.session.scalars(db.select(TodoList).filter_by(owner_id=current_user.id)).all()
        return [todo_list.to_dict() for todo_list in lists]

    def post(self):
        args = list_parser.parse_args()
        todo_list = TodoList(owner_id=current_user.id, title=args["title"])
        db.session.add(todo_list)
        db.session.commit()
        return todo_list.to_dict(), 201


class TodoListResource(Resource):
    method_decorators = [jwt_required()]

    def get(self, list_id):
        todo_list = TodoList.query.filter_by(id=list_id, owner_id=current_user.id).first_or_404()
        return {**todo_list.to_dict(), "items": [item.to_dict() for item in todo_list.items]}

    def delete(self, list_id):
        todo_list = TodoList.query.filter_by(id=list_id, owner_id=current_user.id).first_or_404()
        db.session.delete(todo_list)
        db.session.commit()
        return "", 204


class TodoItemCollection(Resource):
    method_decorators = [jwt_required()]

    def post(self, list_id):
        todo_list = TodoList.query.filter_by(id=list_id, owner_id=current_user.id).first_or_404()
        args = item_parser.parse_args()
        item = TodoItem(list_id=todo_list.id, text=args["text"], position=args["position"])
        db.session.add(item)
        db.session.commit()
        return item.to_dict(), 201


class TodoItemResource(Resource):
    method_decorators = [jwt_required()]

    def patch(self, item_id):
        item = TodoItem.query.get_or_404(item_id)  # expect: AR102
        args = item_patch_parser.parse_args()
        if args["text"] is not None:
            item.text = args["text"]
        if args["done"] is not None:
            item.done = args["done"]
        db.session.commit()
        return item.to_dict()

    def delete(self, item_id):
        item = (
            TodoItem.query.join(TodoList)
            .filter(TodoItem.id == item_id, TodoList.owner_id == current_user.id)
            .first()
        )
        if item is None:
            abort(404, message="No such item")
        db.session.delete(item)
        db.session.commit()
        return "", 204


class Leaderboard(Resource):  # expect: AR101
    """Who closed the most items, for the office dashboard."""

    def get(self):
        rows = db.session.execute(
            db.select(User.username, TodoList.title, db.func.count(TodoItem.id))
            .join(TodoList, TodoList.owner_id == User.id)
            .join(TodoItem, TodoItem.list_id == TodoList.id)
            .where(TodoItem.done.is_(True))
            .group_by(User.username, TodoList.title)
        ).all()
        return [{"user": user, "list": title, "done": done} for user, title, done in rows]
