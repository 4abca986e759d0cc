"""A CLI that sets OAUTHLIB_INSECURE_TRANSPORT in a project with no oauthlib client (sample for AR406).

The setting only changes what oauthlib accepts; with no oauthlib client in sight it is reported at
medium confidence (it may be read by a dependency), not high.
"""

import os

import click


@click.group()
def cli() -> None:
    os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"  # expect: AR406[medium]


@cli.command()
def sync() -> None:
    click.echo("synced")
