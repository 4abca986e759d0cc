"""Real webhook payloads (octokit's examples), adjusted to a scenario, signed and delivered.

Only identity fields are changed (installation, repository, pull request refs, shas and times, sender,
and whatever a helper names); everything else stays as GitHub sent it.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import uuid
from pathlib import Path
from typing import Any

import httpx

from . import render
from .state import Account, Installation, PullRequest, Repository, ReviewComment, World, iso

WEBHOOKS_DIR = Path(__file__).resolve().parent / "data" / "webhooks"
USER_AGENT = "GitHub-Hookshot/9f3a2b1"


def load(name: str) -> dict[str, Any]:
    """`name` is EVENT.ACTION (or a file stem such as `ping.with-app_id`)."""
    return json.loads((WEBHOOKS_DIR / f"{name}.json").read_text("utf-8"))


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def serialize(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode("utf-8")


def _account(target: dict[str, Any], world: World, account: Account) -> None:
    target.update({"login": account.login, "id": account.id, "type": account.type,
                   "url": f"{world.api_url}/users/{account.login}", "html_url": f"{world.web_url}/{account.login}"})


def _repository(target: dict[str, Any], world: World, repo: Repository) -> None:
    target.update({"id": repo.id, "name": repo.name, "full_name": repo.full_name, "private": repo.private,
                   "default_branch": repo.default_branch, "url": f"{world.api_url}/repos/{repo.full_name}",
                   "html_url": f"{world.web_url}/{repo.full_name}"})
    if isinstance(target.get("owner"), dict):
        _account(target["owner"], world, repo.owner)


def _pull_request(target: dict[str, Any], world: World, pr: PullRequest) -> None:
    target.update({"number": pr.number, "id": pr.id, "title": pr.title, "draft": pr.draft, "state": pr.state,
                   "created_at": iso(pr.created_at), "updated_at": iso(pr.updated_at),  # orders deliveries
                   "url": f"{world.api_url}/repos/{pr.repo}/pulls/{pr.number}",
                   "html_url": f"{world.web_url}/{pr.repo}/pull/{pr.number}"})
    if "body" in target:
        target["body"] = pr.body
    _account(target["user"], world, pr.author)
    for side, repo_name, ref, sha in (("head", pr.head_repo, pr.head_ref, pr.head_sha),
                                      ("base", pr.repo, pr.base_ref, pr.base_sha)):
        branch, repo = target[side], world.repos[repo_name]
        branch.update({"ref": ref, "sha": sha, "label": f"{repo.owner.login}:{ref}"})
        _account(branch["user"], world, repo.owner)
        _repository(branch["repo"], world, repo)


def adjust(payload: dict[str, Any], world: World, *, installation: Installation | None = None,
           repo: Repository | None = None, pr: PullRequest | None = None, sender: str | None = None) -> dict[str, Any]:
    """A copy of `payload` pointing at the scenario's installation, repository, PR and sender."""
    out = copy.deepcopy(payload)
    if installation is not None:
        out["installation"] = {**out.get("installation", {}), "id": installation.id,
                               "node_id": f"MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9u{installation.id}"}
        if isinstance(out["installation"].get("account"), dict):
            _account(out["installation"]["account"], world, installation.account)
    if pr is not None and repo is None:
        repo = world.repos[pr.repo]
    if repo is not None and isinstance(out.get("repository"), dict):
        _repository(out["repository"], world, repo)
    if pr is not None:
        if "number" in out:
            out["number"] = pr.number
        if isinstance(out.get("pull_request"), dict):
            _pull_request(out["pull_request"], world, pr)
    if sender is not None and isinstance(out.get("sender"), dict):
        _account(out["sender"], world, world.account(sender))
    return out


def pull_request_event(world: World, action: str, pr: PullRequest, installation: Installation,
                       sender: str | None = None, before: str | None = None) -> dict[str, Any]:
    payload = adjust(load(f"pull_request.{action}"), world, installation=installation, pr=pr,
                     sender=sender or pr.author.login)
    if action == "synchronize":
        payload["before"] = before or (pr.commit_shas[-2] if len(pr.commit_shas) > 1 else pr.base_sha)
        payload["after"] = pr.head_sha
    return payload


def issue_comment_on_pull(world: World, pr: PullRequest, installation: Installation, body: str, author: str,
                          comment_id: int | None = None) -> dict[str, Any]:
    """`issue_comment.created` on a PR: GitHub marks the issue with a `pull_request` key (the
    octokit example is a plain issue, so that key is added here)."""
    payload = adjust(load("issue_comment.created.with-installation"), world, installation=installation,
                     repo=world.repos[pr.repo], sender=author)
    issue, comment = payload["issue"], payload["comment"]
    issue.update({"number": pr.number, "title": pr.title, "state": pr.state,
                  "url": f"{world.api_url}/repos/{pr.repo}/issues/{pr.number}",
                  "html_url": f"{world.web_url}/{pr.repo}/pull/{pr.number}"})
    _account(issue["user"], world, pr.author)
    html = f"{world.web_url}/{pr.repo}/pull/{pr.number}"
    issue["pull_request"] = {"url": f"{world.api_url}/repos/{pr.repo}/pulls/{pr.number}", "html_url": html,
                             "diff_url": f"{html}.diff", "patch_url": f"{html}.patch", "merged_at": None}
    comment.update({"id": comment_id or world._next_id(), "body": body,
                    "issue_url": f"{world.api_url}/repos/{pr.repo}/issues/{pr.number}"})
    _account(comment["user"], world, world.account(author))
    return payload


def review_comment_reply_event(world: World, pr: PullRequest, installation: Installation, parent: ReviewComment,
                               body: str, author: str) -> dict[str, Any]:
    """`pull_request_review_comment.created` for a person's reply in the thread of `parent`
    (e.g. `/auth-review dismiss`). The reply is added to the world first, as GitHub stores it
    before it sends the webhook."""
    reply = world.reply_as(author, parent.id, body)
    payload = adjust(load("pull_request_review_comment.created"), world, installation=installation, pr=pr,
                     sender=author)
    payload["comment"].update(render.review_comment(world, reply))
    return payload


def review_comment_event(world: World, pr: PullRequest, installation: Installation, comment: ReviewComment) -> dict[str, Any]:
    """`pull_request_review_comment.created` for a comment already in the world (e.g. the bot's own reply)."""
    payload = adjust(load("pull_request_review_comment.created"), world, installation=installation, pr=pr,
                     sender=comment.user.login)
    payload["comment"].update(render.review_comment(world, comment))
    return payload


def review_thread_event(world: World, pr: PullRequest, installation: Installation, comment_id: int,
                        sender: str) -> dict[str, Any]:
    """`pull_request_review_thread.resolved` / `.unresolved` for the thread of `comment_id`, in its
    current state (resolve or unresolve it in the world first, as the person did on GitHub)."""
    thread = world.thread_for_comment(comment_id)
    assert thread is not None, f"no thread holds comment {comment_id}"
    action = "resolved" if thread.resolved else "unresolved"
    payload = adjust(load(f"pull_request_review_thread.{action}"), world, installation=installation, pr=pr,
                     sender=sender)
    payload["thread"] = {"node_id": thread.node_id,
                         "comments": [render.review_comment(world, world.review_comments[i]) for i in thread.comment_ids]}
    return payload


def check_run_rerequested(world: World, pr: PullRequest, installation: Installation, check_run_id: int,
                          sender: str | None = None) -> dict[str, Any]:
    payload = adjust(load("check_run.rerequested"), world, installation=installation, repo=world.repos[pr.repo],
                     sender=sender or pr.author.login)
    run = payload["check_run"]
    run.update({"id": check_run_id, "head_sha": pr.head_sha})
    run["app"]["id"] = world.app.id
    run["check_suite"]["head_sha"] = pr.head_sha
    repo = world.repos[pr.repo]
    ref = {"id": repo.id, "url": f"{world.api_url}/repos/{repo.full_name}", "name": repo.name}
    run["pull_requests"] = [{"url": f"{world.api_url}/repos/{pr.repo}/pulls/{pr.number}", "id": pr.id,
                             "number": pr.number, "head": {"ref": pr.head_ref, "sha": pr.head_sha, "repo": ref},
                             "base": {"ref": pr.base_ref, "sha": pr.base_sha, "repo": ref}}]
    return payload


def delivery_headers(event: str, body: bytes, secret: str, delivery_id: str | None = None, hook_id: int = 123456789,
                     app_id: int | None = None) -> dict[str, str]:
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": delivery_id or str(uuid.uuid4()),
        "X-GitHub-Hook-ID": str(hook_id),
        "X-Hub-Signature-256": sign(secret, body),
        "X-Hub-Signature": "sha1=" + hmac.new(secret.encode(), body, hashlib.sha1).hexdigest(),
    }
    if app_id is not None:
        headers["X-GitHub-Hook-Installation-Target-Type"] = "integration"
        headers["X-GitHub-Hook-Installation-Target-ID"] = str(app_id)
    return headers


def deliver(url: str, event: str, payload: dict[str, Any] | bytes, secret: str, delivery_id: str | None = None,
            app_id: int | None = None, timeout: float = 10.0) -> httpx.Response:
    """POST one delivery like GitHub does. Reuse `delivery_id` to simulate a redelivery."""
    body = payload if isinstance(payload, bytes) else serialize(payload)
    headers = delivery_headers(event, body, secret, delivery_id, app_id=app_id)
    return httpx.post(url, content=body, headers=headers, timeout=timeout)
