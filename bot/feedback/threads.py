"""GitHub's side of the feedback: who may dismiss, the bot's replies, and review threads' resolution.

Permissions are asked of GitHub each time (a role can change between two commands). Thread
resolution needs GraphQL, as REST has none; it is a courtesy, so GitHub refusing it is logged and
never fails a job.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from githubkit.exception import GraphQLFailed, RequestFailed

from .. import post
from ..fetch import PullRequest

log = logging.getLogger("auth_review.feedback")

WRITE_ROLES = frozenset({"admin", "maintain", "write"})


def may_dismiss(gh: Any, pr: PullRequest, login: str) -> bool:
    """Write, maintain or admin on the repository (custom roles count by their base permission)."""
    try:
        data = gh.rest.repos.get_collaborator_permission_level(pr.owner, pr.repo, login).json()
    except RequestFailed as exc:
        if exc.response.status_code == 404:  # not a user GitHub knows
            return False
        raise
    return data.get("role_name") in WRITE_ROLES or data.get("permission") in ("admin", "write")


def reply(gh: Any, pr: PullRequest, root_id: int, text: str, mark: post.FeedbackMark) -> None:
    gh.rest.pulls.create_reply_for_review_comment(pr.owner, pr.repo, pr.number, root_id,
                                                  data={"body": f"{text}\n\n{mark.marker()}"})


def answered(on_github: list[post.PostedComment], answer_to: str) -> bool:
    """Has the bot already replied to ``answer_to`` (its marker says so)? A replayed job then stays quiet."""
    return any(c.feedback is not None and c.feedback.answers == answer_to for c in on_github)


@dataclass(frozen=True)
class Thread:
    node_id: str
    resolved: bool
    resolved_by: str | None
    root_id: int | None
    root_author: str | None


THREADS_QUERY = """
query($owner: String!, $name: String!, $number: Int!, $after: String) {
  repository(owner: $owner, name: $name) {
    pullRequest(number: $number) {
      reviewThreads(first: 100, after: $after) {
        nodes { id isResolved resolvedBy { login } comments(first: 1) { nodes { databaseId author { login } } } }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
}"""
RESOLVE_MUTATION = "mutation($id: ID!) { resolveReviewThread(input: {threadId: $id}) { thread { id isResolved } } }"
UNRESOLVE_MUTATION = "mutation($id: ID!) { unresolveReviewThread(input: {threadId: $id}) { thread { id isResolved } } }"


def review_threads(gh: Any, pr: PullRequest) -> list[Thread]:
    """The pull request's review threads (GraphQL: REST has no thread resolution).

    If GitHub's GraphQL API refuses the query, that is logged and no thread is returned: thread
    resolution is a courtesy, and a review must not fail for it.
    """
    threads: list[Thread] = []
    after = None
    while True:
        try:
            data = gh.graphql.request(THREADS_QUERY, {"owner": pr.owner, "name": pr.repo, "number": pr.number,
                                                      "after": after})
        except GraphQLFailed as exc:
            log.warning("could not list review threads", extra={
                "repository": pr.full_name, "pull": pr.number, "error": str(exc)[:300]})
            return threads
        page = data["repository"]["pullRequest"]["reviewThreads"]
        for node in page["nodes"]:
            first = (node.get("comments") or {}).get("nodes") or [{}]
            threads.append(Thread(node["id"], bool(node["isResolved"]), (node.get("resolvedBy") or {}).get("login"),
                                  first[0].get("databaseId"), (first[0].get("author") or {}).get("login")))
        if not page["pageInfo"]["hasNextPage"]:
            return threads
        after = page["pageInfo"]["endCursor"]


def set_thread_resolved(gh: Any, thread: Thread | None, resolved: bool) -> bool:
    """Resolve or unresolve one of the bot's threads; False (logged) if there is none or GitHub refuses, which is
    not worth a retry."""
    if thread is None:
        return False
    if thread.resolved == resolved:
        return True
    try:
        gh.graphql.request(RESOLVE_MUTATION if resolved else UNRESOLVE_MUTATION, {"id": thread.node_id})
    except GraphQLFailed as exc:
        log.warning("could not change a review thread's resolution", extra={
            "thread": thread.node_id, "resolve": resolved, "error": str(exc)[:300]})
        return False
    return True
