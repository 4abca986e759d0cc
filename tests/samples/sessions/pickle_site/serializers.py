"""Serializers for pickle_site's signed links (sample for AR308)."""

import json
from decimal import Decimal

from django.contrib.sessions.serializers import PickleSerializer as DjangoPickleSerializer
from django.core import signing


class PickleSerializer:
    """Named after the format it replaced; it writes JSON (Decimals as strings)."""

    def dumps(self, obj):
        return json.dumps(obj, default=str, separators=(",", ":")).encode("latin-1")

    def loads(self, data):
        return json.loads(data.decode("latin-1"), parse_float=Decimal)


def share_cart(cart):
    return signing.dumps(cart, salt="shared-cart", serializer=PickleSerializer)


def open_shared_cart(token):
    return signing.loads(token, salt="shared-cart", serializer=PickleSerializer, max_age=7 * 24 * 3600)


def open_legacy_cart(token):
    return signing.loads(token, salt="cart", serializer=DjangoPickleSerializer)  # expect: AR308
