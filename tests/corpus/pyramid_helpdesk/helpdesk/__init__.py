"""Customer help desk: customers open tickets and read the support team's replies."""

from pyramid.config import Configurator

from .security import RootFactory, TokenSecurityPolicy


def main(global_config: dict, **settings: str) -> object:
    with Configurator(settings=settings, root_factory=RootFactory) as config:
        config.include("pyramid_tm")
        config.include(".models")
        config.set_security_policy(TokenSecurityPolicy())
        config.set_default_permission("view")  # every view needs a signed-in customer unless it says otherwise
        config.include(".routes")
        config.scan(".views")
    return config.make_wsgi_app()
