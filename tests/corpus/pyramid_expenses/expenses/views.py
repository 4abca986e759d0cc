"""JSON views. `permission="view"`/`"edit"` need a signed-in user, `"manage"` a manager (see security.py)."""

from datetime import date
from decimal import Decimal

from pyramid.httpexceptions import HTTPNoContent, HTTPNotFound
from pyramid.view import view_config, view_defaults

from .models import Expense, Report


@view_config(route_name="reports", request_method="GET", renderer="json", permission="view")
def list_reports(request):
    reports = request.dbsession.query(Report).filter_by(owner_id=request.authenticated_userid).all()
    return {"reports": [report.to_dict() for report in reports]}


@view_config(route_name="reports", request_method="POST", renderer="json", permission="edit")
def create_report(request):
    report = Report(owner_id=request.authenticated_userid, title=str(request.json_body["title"])[:200])
    request.dbsession.add(report)
    request.dbsession.flush()
    request.response.status_code = 201
    return report.to_dict()


@view_defaults(route_name="report", renderer="json", permission="edit")
class ReportViews:
    def __init__(self, request):
        self.request = request

    @view_config(request_method="GET", permission="view")
    def get(self):
        report = (
            self.request.dbsession.query(Report)
            .filter_by(id=int(self.request.matchdict["id"]), owner_id=self.request.authenticated_userid)
            .first()
        )
        if report is None:
            raise HTTPNotFound()
        return report.to_dict()

    @view_config(request_method="DELETE")
    def delete(self):
        report = self.request.dbsession.query(Report).filter_by(id=int(self.request.matchdict["id"])).first()  # expect: AR102
        if report is None:
            raise HTTPNotFound()
        self.request.dbsession.delete(report)
        return HTTPNoContent()


@view_config(route_name="report_expenses", request_method="GET", renderer="json")
def report_expenses(request):  # expect: AR101
    expenses = request.dbsession.query(Expense).filter_by(report_id=int(request.matchdict["id"])).all()
    return {"expenses": [expense.to_dict() for expense in expenses]}


@view_config(route_name="report_expenses", request_method="POST", renderer="json", permission="edit")
def add_expense(request):
    report = (
        request.dbsession.query(Report)
        .filter_by(id=int(request.matchdict["id"]), owner_id=request.authenticated_userid)
        .first()
    )
    if report is None or report.status != "open":
        raise HTTPNotFound()
    body = request.json_body
    expense = Expense(report_id=report.id, spent_on=date.fromisoformat(str(body["spent_on"])),
                      amount=Decimal(str(body["amount"])), description=str(body.get("description", ""))[:300])
    request.dbsession.add(expense)
    request.dbsession.flush()
    request.response.status_code = 201
    return expense.to_dict()


@view_config(route_name="pending_reports", renderer="json", permission="manage")
def pending_reports(request):
    reports = request.dbsession.query(Report).filter_by(status="submitted").all()
    return {"reports": [report.to_dict() for report in reports]}


@view_config(route_name="approve_report", renderer="json", permission="manage")
def approve_report(request):
    report = request.dbsession.query(Report).filter_by(id=int(request.matchdict["id"])).first()
    if report is None:
        raise HTTPNotFound()
    report.status = "approved"
    return report.to_dict()
