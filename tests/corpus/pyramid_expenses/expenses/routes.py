"""URL dispatch."""


def includeme(config: object) -> None:
    config.add_route("reports", "/reports")
    config.add_route("report", "/reports/{id}")
    config.add_route("report_expenses", "/reports/{id}/expenses")
    config.add_route("pending_reports", "/manage/reports")
    config.add_route("approve_report", "/manage/reports/{id}/approve", request_method="POST")
