"""The demo app shipped beside an admin package: its documented login is public on purpose (sample for AR504).

Reported at medium confidence, not high: a maintainer decides whether the demo's login may ship.
"""

from piccolo.apps.user.tables import BaseUser

DEMO_USERNAME = "piccolo"
PASSWORD = "piccolo123"  # expect: AR504[medium]


def create_demo_user() -> None:
    BaseUser(username=DEMO_USERNAME, password=PASSWORD, admin=True, active=True).save().run_sync()
