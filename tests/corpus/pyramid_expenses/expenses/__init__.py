"""Expense reports: employees file reports of expenses; managers approve them."""

from pyramid.config import Configurator

from .security import RootFactory, SecurityPolicy


def main(global_config: dict, **settings: str) -> object:
    with Configurator(settings=settings, root_factory=RootFactory) as config:
        config.include("pyramid_tm")
        config.include(".models")
        config.include(".routes")
        config.set_security_policy(SecurityPolicy(settings["auth.secret"]))
        config.scan(".views")
    return config.make_wsgi_app()
