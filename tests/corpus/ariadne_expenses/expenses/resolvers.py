"""Root resolvers of the expenses API (bound to the schema in schema.py)."""

from datetime import datetime, timezone

from ariadne import MutationType, QueryType, convert_kwargs_to_snake_case
from graphql import GraphQLError
from sqlalchemy import select

from .auth import login_required, require_user
from .models import Category, Expense, Report

query = QueryType()
mutation = MutationType()


@query.field("categories")
def resolve_categories(_, info):  # auth-review: public
    db = info.context["db"]
    return db.scalars(select(Category).where(Category.active.is_(True)).order_by(Category.name)).all()


@query.field("myReports")
@login_required
def resolve_my_reports(_, info):
    db = info.context["db"]
    return db.scalars(select(Report).where(Report.owner_id == info.context["user"].id)).all()


@query.field("report")
@login_required
def resolve_report(_, info, id):
    db = info.context["db"]
    report = db.get(Report, int(id))
    if report is None or report.owner_id != info.context["user"].id:
        return None
    return report


@query.field("expense")
@login_required
def resolve_expense(_, info, id):
    db = info.context["db"]
    return db.get(Expense, int(id))  # expect: AR102


@mutation.field("createReport")
def resolve_create_report(_, info, title):
    user = info.context["user"]
    if user is None:
        raise GraphQLError("Sign in to manage expense reports")
    db = info.context["db"]
    report = Report(owner_id=user.id, title=title.strip()[:200])
    db.add(report)
    db.commit()
    return report


@mutation.field("addExpense")
@login_required
@convert_kwargs_to_snake_case
def resolve_add_expense(_, info, report_id, input):
    db = info.context["db"]
    stmt = select(Report).where(Report.id == int(report_id), Report.owner_id == info.context["user"].id)
    report = db.scalars(stmt).first()
    if report is None or report.status != "draft":
        raise GraphQLError("Report not found")
    expense = Expense(report_id=report.id, category_id=int(input["category_id"]),
                      description=str(input["description"])[:300], amount_cents=int(input["amount_cents"]))
    db.add(expense)
    db.commit()
    return expense


@mutation.field("deleteExpense")
def resolve_delete_expense(_, info, id):  # expect: AR101
    db = info.context["db"]
    expense = db.get(Expense, int(id))
    if expense is not None:
        db.delete(expense)
        db.commit()
    return True


@mutation.field("approveReport")
def resolve_approve_report(_, info, id):
    user = require_user(info)
    if not user.is_finance_admin:
        raise GraphQLError("Only finance administrators approve reports")
    db = info.context["db"]
    report = db.get(Report, int(id))
    report.status = "approved"
    db.commit()
    return report


def resolve_submit_report(_, info, id):
    user = require_user(info)
    db = info.context["db"]
    report = db.scalars(select(Report).where(Report.id == int(id), Report.owner_id == user.id)).first()
    if report is None:
        raise GraphQLError("Report not found")
    report.status = "submitted"
    report.submitted_at = datetime.now(timezone.utc)
    db.commit()
    return report
