"""The auth-review GitHub App: webhook -> queue -> job -> fetch -> analyze -> place -> post -> feedback.

Each step is a module of that name (``feedback`` a package); ``analyzers`` does
the analysis and knows nothing of GitHub. The contracts between steps are explicit:
``jobs`` types what is queued, ``queue`` owns the jobs table, ``records`` the
findings' tables (comments, feedback, repo_dismissals).
"""
