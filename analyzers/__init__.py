"""Pure analysis for auth-review: rules, Bandit runner, diff mapping and fixes.

Nothing in this package touches the network or GitHub; the bot and the CLI
both build on it.
"""

__version__ = "0.1.0"
