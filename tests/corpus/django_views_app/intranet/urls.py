from django.urls import path

from . import views

urlpatterns = [
    path("login/", views.login_view, name="intranet-login"),
    path("announcements/", views.announcements, name="announcements"),
    path("dashboards/revenue/", views.revenue_today, name="revenue-today"),
    path("tickets/", views.ticket_list, name="ticket-list"),
    path("tickets/<int:pk>/", views.ticket_detail, name="ticket-detail"),
    path("staff/", views.staff_accounts, name="staff-accounts"),
]
