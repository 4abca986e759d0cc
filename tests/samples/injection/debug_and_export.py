"""An admin-only debug router and a public export route (sample for AR603).

Showing an administrator why the mail server refused a test message is often the point of the page: the
leak is reported at medium confidence there. The same leak on a route anyone may call is high.
"""

import smtplib

from fastapi import APIRouter, Depends, HTTPException

from .deps import get_admin_user
from .exporter import export_timeline

admin = APIRouter(prefix="/admin/debug", dependencies=[Depends(get_admin_user)])
public = APIRouter(prefix="/timeline")


@admin.post("/smtp")
def test_smtp(host: str, port: int = 587) -> dict:
    try:
        with smtplib.SMTP(host, port, timeout=5) as server:
            server.noop()
    except Exception as e:
        return {"success": False, "error": f"SMTP test failed: {e}"}  # expect: AR603[medium]
    return {"success": True}


@public.post("/{incident_id}/export")
def export(incident_id: int) -> dict:
    try:
        return {"url": export_timeline(incident_id)}
    except Exception as e:
        raise HTTPException(status_code=500, detail=str(e)) from e  # expect: AR603[high]
