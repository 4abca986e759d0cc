"""Admin reporting queries on SQLAlchemy and pandas (sample for AR601)."""

import pandas as pd
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from app.config import settings

engine = create_engine(settings.DATABASE_URL)
REPORT_SCHEMA = "reporting"
PERIODS = {"day": "1 day", "week": "7 days", "month": "30 days"}


def revenue_by_region(session: Session, region: str):
    stmt = text("SELECT sum(total) FROM orders WHERE region = :region")
    return session.execute(stmt, {"region": region}).scalar()


def revenue_for_tenant(session: Session, tenant: str):
    return session.execute(
        text(f"SELECT sum(total) FROM orders WHERE tenant = '{tenant}'")  # expect: AR601
    ).scalar()


def recent_signups(session: Session, period: str):
    interval = PERIODS.get(period, "7 days")
    sql = text(f"SELECT count(*) FROM {REPORT_SCHEMA}.users WHERE created > now() - interval '{interval}'")
    return session.execute(sql).scalar()


def top_customers(limit: int):
    query = "SELECT customer_id, sum(total) AS spent FROM orders GROUP BY customer_id ORDER BY spent DESC LIMIT %d"
    return pd.read_sql(query % limit, engine)


def customer_history(customer_name: str):
    return pd.read_sql_query(  # reports the built query below
        "SELECT * FROM orders WHERE customer_name = '" + customer_name + "'",  # expect: AR601
        engine,
    )


def purge_tenant(tenant_id: str):
    with engine.begin() as conn:
        conn.exec_driver_sql(f"DELETE FROM sessions WHERE tenant_id = {tenant_id}")  # expect: AR601
        conn.execute(text("DELETE FROM audit WHERE tenant_id = :t"), {"t": tenant_id})
