"""The public catalogue: anyone may search it."""

import falcon

from .models import Book, Session


class BookSearchResource:
    auth_exempt = True

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        query = req.get_param("q", default="")[:100]
        with Session() as session:
            books = session.query(Book).filter(Book.title.ilike(f"%{query}%")).limit(50).all()
        resp.media = {"books": [book.to_dict() for book in books]}
