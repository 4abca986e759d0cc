"""JSON representations of the emulated world, shaped like GitHub's examples in the spec.

API URLs point at the emulator (`world.api_url`); html URLs at `world.web_url`.
"""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import quote

from .git_backend import CommitInfo, FileDiff
from .state import (
    Account,
    CheckRun,
    Installation,
    IssueComment,
    PullRequest,
    Reaction,
    Repository,
    Review,
    ReviewComment,
    World,
    iso,
)


def node_id(kind: str, number: int) -> str:
    return base64.b64encode(f"0:{kind}{number}".encode()).decode()


def wrapped_base64(data: bytes) -> str:
    """GitHub's contents/blobs API wraps base64 at 60 characters."""
    text = base64.b64encode(data).decode()
    return "".join(text[i:i + 60] + "\n" for i in range(0, len(text), 60))


def user(world: World, account: Account) -> dict[str, Any]:
    api = f"{world.api_url}/users/{account.login}"
    return {
        "login": account.login, "id": account.id, "node_id": node_id("User", account.id),
        "avatar_url": f"https://avatars.githubusercontent.com/u/{account.id}?v=4", "gravatar_id": "",
        "url": api, "html_url": f"{world.web_url}/{account.login}",
        "followers_url": f"{api}/followers", "following_url": f"{api}/following{{/other_user}}",
        "gists_url": f"{api}/gists{{/gist_id}}", "starred_url": f"{api}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{api}/subscriptions", "organizations_url": f"{api}/orgs",
        "repos_url": f"{api}/repos", "events_url": f"{api}/events{{/privacy}}",
        "received_events_url": f"{api}/received_events", "type": account.type, "user_view_type": "public",
        "site_admin": False,
    }


_REPO_TEMPLATES = {
    "archive_url": "/{archive_format}{/ref}", "assignees_url": "/assignees{/user}", "blobs_url": "/git/blobs{/sha}",
    "branches_url": "/branches{/branch}", "collaborators_url": "/collaborators{/collaborator}",
    "comments_url": "/comments{/number}", "commits_url": "/commits{/sha}", "compare_url": "/compare/{base}...{head}",
    "contents_url": "/contents/{+path}", "contributors_url": "/contributors", "deployments_url": "/deployments",
    "downloads_url": "/downloads", "events_url": "/events", "forks_url": "/forks",
    "git_commits_url": "/git/commits{/sha}", "git_refs_url": "/git/refs{/sha}", "git_tags_url": "/git/tags{/sha}",
    "hooks_url": "/hooks", "issue_comment_url": "/issues/comments{/number}",
    "issue_events_url": "/issues/events{/number}", "issues_url": "/issues{/number}", "keys_url": "/keys{/key_id}",
    "labels_url": "/labels{/name}", "languages_url": "/languages", "merges_url": "/merges",
    "milestones_url": "/milestones{/number}", "notifications_url": "/notifications{?since,all,participating}",
    "pulls_url": "/pulls{/number}", "releases_url": "/releases{/id}", "stargazers_url": "/stargazers",
    "statuses_url": "/statuses/{sha}", "subscribers_url": "/subscribers", "subscription_url": "/subscription",
    "tags_url": "/tags", "teams_url": "/teams", "trees_url": "/git/trees{/sha}",
}


def repository(world: World, repo: Repository, full: bool = False) -> dict[str, Any]:
    api = f"{world.api_url}/repos/{repo.full_name}"
    html = f"{world.web_url}/{repo.full_name}"
    host = world.web_url.split("://", 1)[-1]
    created = iso(repo.created_at)
    out: dict[str, Any] = {
        "id": repo.id, "node_id": node_id("Repository", repo.id), "name": repo.name, "full_name": repo.full_name,
        "owner": user(world, repo.owner), "private": repo.private, "html_url": html, "description": None,
        "fork": False, "url": api, **{k: api + v for k, v in _REPO_TEMPLATES.items()},
        "git_url": f"git://{host}/{repo.full_name}.git", "ssh_url": f"git@{host}:{repo.full_name}.git",
        "clone_url": f"{html}.git", "svn_url": html, "mirror_url": None, "homepage": None, "language": "Python",
        "forks_count": 0, "forks": 0, "stargazers_count": 0, "watchers_count": 0, "watchers": 0, "size": 1,
        "default_branch": repo.default_branch, "open_issues_count": 0, "open_issues": 0, "is_template": False,
        "topics": [], "has_issues": True, "has_projects": True, "has_wiki": True, "has_pages": False,
        "has_downloads": True, "has_discussions": False, "archived": False, "disabled": False,
        "visibility": "private" if repo.private else "public", "pushed_at": created, "created_at": created,
        "updated_at": created, "license": None, "allow_forking": True, "web_commit_signoff_required": False,
    }
    if full:
        out.update({"network_count": 0, "subscribers_count": 0, "temp_clone_token": "",
                    "permissions": {"admin": False, "maintain": False, "push": False, "triage": False, "pull": True}})
    return out


def integration(world: World) -> dict[str, Any]:
    app = world.app
    return {
        "id": app.id, "slug": app.slug, "node_id": node_id("Integration", app.id), "client_id": app.client_id,
        "owner": user(world, app.owner), "name": app.name, "description": "Reviews pull requests for auth defects.",
        "external_url": "https://example.com/auth-review", "html_url": f"{world.web_url}/apps/{app.slug}",
        "created_at": iso(app.created_at), "updated_at": iso(app.created_at), "permissions": dict(app.permissions),
        "events": list(app.events), "installations_count": len(world.installations),
    }


def installation(world: World, inst: Installation) -> dict[str, Any]:
    return {
        "id": inst.id, "account": user(world, inst.account), "repository_selection": inst.repository_selection,
        "access_tokens_url": f"{world.api_url}/app/installations/{inst.id}/access_tokens",
        "repositories_url": f"{world.api_url}/installation/repositories",
        "html_url": f"{world.web_url}/settings/installations/{inst.id}", "app_id": world.app.id,
        "client_id": world.app.client_id, "target_id": inst.account.id, "target_type": inst.account.type,
        "permissions": dict(inst.permissions), "events": list(inst.events), "created_at": iso(inst.created_at),
        "updated_at": iso(inst.created_at), "single_file_name": None, "has_multiple_single_files": False,
        "single_file_paths": [], "app_slug": world.app.slug, "suspended_by": None,
        "suspended_at": iso(inst.suspended_at) if inst.suspended_at else None, "contact_email": None,
    }


def _branch(world: World, repo_name: str, ref: str, sha: str) -> dict[str, Any]:
    repo = world.repos[repo_name]
    return {"label": f"{repo.owner.login}:{ref}", "ref": ref, "sha": sha, "user": user(world, repo.owner),
            "repo": repository(world, repo)}


def pull_request(world: World, pr: PullRequest, files: tuple[FileDiff, ...], commits: int) -> dict[str, Any]:
    api = f"{world.api_url}/repos/{pr.repo}"
    html = f"{world.web_url}/{pr.repo}/pull/{pr.number}"
    review_comments = sum(1 for c in world.review_comments.values() if c.repo == pr.repo and c.pull_number == pr.number)
    issue_comments = sum(1 for c in world.issue_comments.values() if c.repo == pr.repo and c.issue_number == pr.number)
    links = {"self": f"{api}/pulls/{pr.number}", "html": html, "issue": f"{api}/issues/{pr.number}",
             "comments": f"{api}/issues/{pr.number}/comments", "review_comments": f"{api}/pulls/{pr.number}/comments",
             "review_comment": f"{api}/pulls/comments{{/number}}", "commits": f"{api}/pulls/{pr.number}/commits",
             "statuses": f"{api}/statuses/{pr.head_sha}"}
    return {
        "url": links["self"], "id": pr.id, "node_id": node_id("PullRequest", pr.id), "html_url": html,
        "diff_url": f"{html}.diff", "patch_url": f"{html}.patch", "issue_url": links["issue"],
        "commits_url": links["commits"], "review_comments_url": links["review_comments"],
        "review_comment_url": links["review_comment"], "comments_url": links["comments"],
        "statuses_url": links["statuses"], "number": pr.number, "state": pr.state, "locked": False,
        "title": pr.title, "user": user(world, pr.author), "body": pr.body, "labels": [], "milestone": None,
        "active_lock_reason": None, "created_at": iso(pr.created_at), "updated_at": iso(pr.updated_at),
        "closed_at": None, "merged_at": None, "merge_commit_sha": None, "assignee": None, "assignees": [],
        "requested_reviewers": [], "requested_teams": [],
        "head": _branch(world, pr.head_repo, pr.head_ref, pr.head_sha),
        "base": _branch(world, pr.repo, pr.base_ref, pr.base_sha),
        "_links": {k: {"href": v} for k, v in links.items()}, "author_association": "CONTRIBUTOR",
        "auto_merge": None, "draft": pr.draft, "merged": False, "mergeable": True, "rebaseable": True,
        "mergeable_state": "draft" if pr.draft else "clean", "merged_by": None, "comments": issue_comments,
        "review_comments": review_comments, "maintainer_can_modify": False, "commits": commits,
        "additions": sum(f.additions for f in files), "deletions": sum(f.deletions for f in files),
        "changed_files": len(files),
    }


def diff_entry(world: World, repo: str, f: FileDiff, head_sha: str) -> dict[str, Any]:
    out: dict[str, Any] = {
        "sha": f.sha, "filename": f.filename, "status": f.status, "additions": f.additions,
        "deletions": f.deletions, "changes": f.changes,
        "blob_url": f"{world.web_url}/{repo}/blob/{head_sha}/{quote(f.filename)}",
        "raw_url": f"{world.web_url}/{repo}/raw/{head_sha}/{quote(f.filename)}",
        "contents_url": f"{world.api_url}/repos/{repo}/contents/{quote(f.filename)}?ref={head_sha}",
    }
    if f.patch is not None:
        out["patch"] = f.patch
    if f.previous_filename:
        out["previous_filename"] = f.previous_filename
    return out


def git_user(name: str, email: str, date: str) -> dict[str, str]:
    return {"name": name, "email": email, "date": date.replace("+00:00", "Z")}


def commit(world: World, repo: str, c: CommitInfo) -> dict[str, Any]:
    api = f"{world.api_url}/repos/{repo}"
    return {
        "url": f"{api}/commits/{c.sha}", "sha": c.sha, "node_id": node_id("Commit", int(c.sha[:7], 16)),
        "html_url": f"{world.web_url}/{repo}/commit/{c.sha}", "comments_url": f"{api}/commits/{c.sha}/comments",
        "commit": {
            "url": f"{api}/git/commits/{c.sha}", "author": git_user(c.author_name, c.author_email, c.author_date),
            "committer": git_user(c.committer_name, c.committer_email, c.committer_date), "message": c.message,
            "comment_count": 0, "tree": {"sha": c.tree, "url": f"{api}/git/trees/{c.tree}"},
            "verification": {"verified": False, "reason": "unsigned", "signature": None, "payload": None,
                             "verified_at": None},
        },
        "author": None, "committer": None,  # no GitHub account behind the scenario's git identities
        "parents": [{"sha": p, "url": f"{api}/commits/{p}", "html_url": f"{world.web_url}/{repo}/commit/{p}"}
                    for p in c.parents],
    }


def review(world: World, r: Review) -> dict[str, Any]:
    pr_api = f"{world.api_url}/repos/{r.repo}/pulls/{r.pull_number}"
    html = f"{world.web_url}/{r.repo}/pull/{r.pull_number}#pullrequestreview-{r.id}"
    out: dict[str, Any] = {
        "id": r.id, "node_id": node_id("PullRequestReview", r.id), "user": user(world, r.user), "body": r.body,
        "state": r.state, "html_url": html, "pull_request_url": pr_api,
        "_links": {"html": {"href": html}, "pull_request": {"href": pr_api}}, "commit_id": r.commit_id,
        "author_association": "NONE",
    }
    if r.submitted_at is not None:
        out["submitted_at"] = iso(r.submitted_at)
    return out


def review_comment(world: World, c: ReviewComment, outdated: bool = False, position_required: bool = False) -> dict[str, Any]:
    """A review comment. Outdated ones lose ``line`` (and ``position``), as on GitHub.

    The schema allows that by leaving the keys out, except where ``position`` is
    required (the ``review-comment`` shape of list-comments-for-review): there it is null.
    """
    api = f"{world.api_url}/repos/{c.repo}/pulls/comments/{c.id}"
    pr_api = f"{world.api_url}/repos/{c.repo}/pulls/{c.pull_number}"
    html = f"{world.web_url}/{c.repo}/pull/{c.pull_number}#discussion_r{c.id}"
    out: dict[str, Any] = {
        "url": api, "pull_request_review_id": c.review_id, "id": c.id,
        "node_id": node_id("PullRequestReviewComment", c.id), "diff_hunk": c.diff_hunk, "path": c.path,
        "position": None if outdated else c.position, "original_position": c.position,
        "commit_id": c.commit_id, "original_commit_id": c.commit_id, "user": user(world, c.user), "body": c.body,
        "created_at": iso(c.created_at), "updated_at": iso(c.updated_at), "html_url": html,
        "pull_request_url": pr_api, "author_association": "NONE",
        "_links": {"self": {"href": api}, "html": {"href": html}, "pull_request": {"href": pr_api}},
        "start_line": c.start_line, "original_start_line": c.start_line, "start_side": c.start_side,
        "line": None if outdated else c.line, "original_line": c.line, "side": c.side,
        "subject_type": c.subject_type, "reactions": reaction_rollup(world, c),
    }
    if outdated:
        del out["line"]
        if not position_required:
            del out["position"]
    if c.in_reply_to_id is not None:
        out["in_reply_to_id"] = c.in_reply_to_id
    return out


def reaction_rollup(world: World, c: ReviewComment) -> dict[str, Any]:
    counts = {k: 0 for k in ("+1", "-1", "laugh", "confused", "heart", "hooray", "eyes", "rocket")}
    for r in world.reactions.values():
        if r.comment_id == c.id:
            counts[r.content] += 1
    return {"url": f"{world.api_url}/repos/{c.repo}/pulls/comments/{c.id}/reactions",
            "total_count": sum(counts.values()), **counts}


def reaction(world: World, r: Reaction) -> dict[str, Any]:
    return {"id": r.id, "node_id": node_id("Reaction", r.id), "user": user(world, r.user), "content": r.content,
            "created_at": iso(r.created_at)}


def issue_comment(world: World, c: IssueComment) -> dict[str, Any]:
    api = f"{world.api_url}/repos/{c.repo}"
    return {
        "id": c.id, "node_id": node_id("IssueComment", c.id), "url": f"{api}/issues/comments/{c.id}",
        "html_url": f"{world.web_url}/{c.repo}/pull/{c.issue_number}#issuecomment-{c.id}", "body": c.body,
        "user": user(world, c.user), "created_at": iso(c.created_at), "updated_at": iso(c.updated_at),
        "issue_url": f"{api}/issues/{c.issue_number}", "author_association": "NONE",
        "performed_via_github_app": integration(world) if c.user.login == world.app.bot_login else None,
    }


def check_run(world: World, run: CheckRun) -> dict[str, Any]:
    api = f"{world.api_url}/repos/{run.repo}/check-runs/{run.id}"
    prs = [pr for pr in world.pulls.values() if pr.repo == run.repo and pr.head_sha == run.head_sha]
    return {
        "id": run.id, "head_sha": run.head_sha, "node_id": node_id("CheckRun", run.id),
        "external_id": run.external_id or "", "url": api, "html_url": f"{world.web_url}/{run.repo}/runs/{run.id}",
        "details_url": run.details_url or f"{world.web_url}/{run.repo}/runs/{run.id}", "status": run.status,
        "conclusion": run.conclusion, "started_at": iso(run.started_at) if run.started_at else None,
        "completed_at": iso(run.completed_at) if run.completed_at else None,
        "output": {"title": run.output.get("title"), "summary": run.output.get("summary"),
                   "text": run.output.get("text"), "annotations_count": len(run.annotations),
                   "annotations_url": f"{api}/annotations"},
        "name": run.name, "check_suite": {"id": run.check_suite_id}, "app": integration(world),
        "pull_requests": [_pr_minimal(world, pr) for pr in prs],
    }


def _pr_minimal(world: World, pr: PullRequest) -> dict[str, Any]:
    def ref(repo_name: str, name: str, sha: str) -> dict[str, Any]:
        r = world.repos[repo_name]
        return {"ref": name, "sha": sha, "repo": {"id": r.id, "url": f"{world.api_url}/repos/{r.full_name}",
                                                   "name": r.name}}
    return {"id": pr.id, "number": pr.number, "url": f"{world.api_url}/repos/{pr.repo}/pulls/{pr.number}",
            "head": ref(pr.head_repo, pr.head_ref, pr.head_sha), "base": ref(pr.repo, pr.base_ref, pr.base_sha)}


def collaborator_permission(world: World, account: Account, permission: str) -> dict[str, Any]:
    # `permission` is the legacy level (maintain reads as write, triage as read); role_name is exact.
    legacy = {"maintain": "write", "triage": "read"}.get(permission, permission)
    flags = {"admin": permission == "admin", "maintain": permission in ("admin", "maintain"),
             "push": permission in ("admin", "maintain", "write"),
             "triage": permission in ("admin", "maintain", "write", "triage"), "pull": permission != "none"}
    return {"permission": legacy, "role_name": permission,
            "user": {**user(world, account), "permissions": flags, "role_name": permission}}
