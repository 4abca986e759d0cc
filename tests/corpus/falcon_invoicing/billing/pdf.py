"""Invoice PDFs (reportlab)."""

import io

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas


def render_invoice_pdf(invoice: object) -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    page.drawString(72, 800, f"Invoice {getattr(invoice, 'number', '')}")
    page.drawString(72, 780, f"Total: {getattr(invoice, 'total', '')}")
    page.showPage()
    page.save()
    return buffer.getvalue()
