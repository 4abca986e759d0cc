"""Unsubscribe links, team invitations and a session check of a Django/Flask-style app: values read out
of a payload whose signature was just verified, or out of the signed session, cannot be chosen by the
client, so comparing them with ``==`` leaks nothing (AR210 look-alikes). A pagination cursor is no
secret either. The API key compared as sent is (AR210), and so is a CSRF header compared with the
session's token: the session side is vouched for, the header is the client's guess."""

import hmac
import os

from django.core import signing
from django.http import HttpResponseForbidden
from django.shortcuts import get_object_or_404, render
from flask import abort, session
from itsdangerous import BadSignature, URLSafeTimedSerializer

from .models import Channel, Team
from .utils.signing import unserialize

INVITES = URLSafeTimedSerializer(os.environ["SECRET_KEY"], salt="invite")


def unsubscribe(request, code, signed_token):
    signer = signing.TimestampSigner(salt="alerts")
    try:
        token = signer.unsign(signed_token, max_age=3600)
    except signing.BadSignature:
        return render(request, "bad_link.html")
    channel = get_object_or_404(Channel, code=code)
    if channel.make_token() != token:
        return render(request, "bad_link.html")
    channel.delete()
    return render(request, "unsubscribed.html")


def accept_invite(code, user):
    invite = unserialize(code, max_age=1800)
    team = Team.query.filter_by(id=invite["id"]).first_or_404()
    verified = hmac.new(team.secret.encode(), str(team.id).encode(), "sha256").hexdigest() == invite["v"]
    if not verified:
        abort(403)
    team.members.append(user)


def confirm_email(code, user):
    try:
        data = INVITES.loads(code, max_age=86400)
    except BadSignature:
        abort(400)
    if data["token"] != user.confirm_token:
        abort(403)
    user.confirmed = True


def session_still_valid(user):
    return user.session_token == session.get("session_token")


def sync_all(client):
    next_token = None
    while True:
        page = client.list_events(next_token=next_token)
        if page.get("next_token") == next_token:
            break
        next_token = page.get("next_token")


def export(request):
    if request.headers.get("X-Api-Key") != os.environ["EXPORT_API_KEY"]:  # expect: AR210
        return HttpResponseForbidden()
    return render(request, "export.csv")


def transfer(request):
    # The session holds the secret; the header is the client's guess at it.
    if request.headers.get("X-CSRF-Token") != request.session.get("csrf_token"):  # expect: AR210
        return HttpResponseForbidden()
    return render(request, "transfer_done.html")
