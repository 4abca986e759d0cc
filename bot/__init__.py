"""The auth-review GitHub App: webhook -> queue -> job -> fetch -> analyze -> place -> post -> feedback.

Each step is a module of that name; ``analyzers`` does the analysis and knows
nothing of GitHub.
"""
