// Issue and pull request comments that a re-run updates instead of repeating: each carries a hidden marker
// `<!-- cosplay:KIND -->` (see src/render/markers.ts). Only comments written by the action's own identity are
// candidates for updating, so a comment someone else wrote with the same marker is never overwritten.
import type { GitHub, RepoRef } from './client.js';
import { explainGitHubError, httpStatus } from './errors.js';
import { commentMarker } from '../render/markers.js';

/** GitHub's limit on a comment or PR body. */
export const MAX_BODY_CHARS = 65_536;

export interface CommentTarget extends RepoRef {
  /** Issue or pull request number. */
  issueNumber: number;
  /** Marker kind, e.g. `solve`, `spec`, `permission`, `gate`. */
  kind: string;
  /**
   * Login of the identity the token acts as (e.g. `github-actions[bot]`). When absent, only comments by bot
   * accounts are considered ours (a person cannot have a Bot account, so a person's copy of the marker is
   * never taken for ours).
   */
  author?: string;
}

export interface MarkedComment {
  id: number;
  body: string;
  url: string;
  author: string;
}

export interface UpsertCommentResult {
  id: number;
  url: string;
  created: boolean;
}

/** Puts the marker first and keeps the body under GitHub's limit (cutting with a note). */
export function withMarker(kind: string, body: string): string {
  const marker = commentMarker(kind);
  let text = body.startsWith(marker) ? body : `${marker}\n${body}`;
  if (text.length > MAX_BODY_CHARS) {
    const note = '\n\n… (cut: the full report is in the job summary and the trace artifact)\n';
    text = text.slice(0, MAX_BODY_CHARS - note.length) + note;
  }
  return text;
}

export async function findMarkedComment(gh: GitHub, target: CommentTarget): Promise<MarkedComment | null> {
  const marker = commentMarker(target.kind);
  let comments: Array<{
    id: number;
    body?: string | null;
    html_url: string;
    user?: { login: string; type?: string } | null;
  }>;
  try {
    comments = await gh.paginate(gh.rest.issues.listComments, {
      owner: target.owner,
      repo: target.repo,
      issue_number: target.issueNumber,
      per_page: 100,
    });
  } catch (err) {
    throw explainGitHubError(err, `read the comments of #${target.issueNumber}`, 'issues: read');
  }
  const ours = comments.filter((c) => {
    if (!c.body?.includes(marker)) return false;
    const login = c.user?.login ?? '';
    return target.author ? login.toLowerCase() === target.author.toLowerCase() : c.user?.type === 'Bot';
  });
  // The latest one: if an earlier run left duplicates, the newest is the one readers see last.
  const c = ours[ours.length - 1];
  return c ? { id: c.id, body: c.body ?? '', url: c.html_url, author: c.user?.login ?? '' } : null;
}

/** Creates the comment, or updates the one an earlier run left (found by its marker). */
export async function upsertIssueComment(
  gh: GitHub,
  target: CommentTarget & { body: string },
): Promise<UpsertCommentResult> {
  const body = withMarker(target.kind, target.body);
  const existing = await findMarkedComment(gh, target);
  if (existing) {
    if (existing.body === body) return { id: existing.id, url: existing.url, created: false };
    try {
      const { data } = await gh.rest.issues.updateComment({
        owner: target.owner,
        repo: target.repo,
        comment_id: existing.id,
        body,
      });
      return { id: data.id, url: data.html_url, created: false };
    } catch (err) {
      // Deleted meanwhile, or not editable by this token: write a new one instead.
      if (httpStatus(err) !== 404 && httpStatus(err) !== 403)
        throw explainGitHubError(err, `update comment ${existing.id}`, 'issues: write');
    }
  }
  try {
    const { data } = await gh.rest.issues.createComment({
      owner: target.owner,
      repo: target.repo,
      issue_number: target.issueNumber,
      body,
    });
    return { id: data.id, url: data.html_url, created: true };
  } catch (err) {
    throw explainGitHubError(err, `comment on #${target.issueNumber}`, 'issues: write');
  }
}
