// Who may start a run: the actor who applied the label must have write, maintain or admin permission on the
// repository; bots only when allow-listed (a bot can be driven by anyone who can trigger it).
import type { GitHub, RepoRef } from './client.js';
import { explainGitHubError, httpStatus } from './errors.js';

export type PermissionLevel = 'admin' | 'maintain' | 'write' | 'triage' | 'read' | 'none';

const ALLOWED: ReadonlySet<string> = new Set(['admin', 'maintain', 'write']);

export interface ActorPermission {
  allowed: boolean;
  actor: string;
  isBot: boolean;
  /** The actor's role (`admin`, `maintain`, `write`, `triage`, `read`, `none`, or a custom role's base permission). */
  permission: PermissionLevel | string;
  /** One sentence for the log and the polite comment. */
  reason: string;
}

export interface CheckActorOptions extends RepoRef {
  actor: string;
  /** The actor's account type from the event (`sender.type`), when known; `Bot` marks a bot. */
  actorType?: string;
  /** Bot logins allowed to trigger runs (with or without the `[bot]` suffix, case-insensitive). */
  allowedBots?: string[];
}

export function isBotLogin(login: string, type?: string): boolean {
  return type === 'Bot' || /\[bot\]$/i.test(login);
}

function botKey(login: string): string {
  return login
    .trim()
    .toLowerCase()
    .replace(/\[bot\]$/, '');
}

export async function checkActorPermission(gh: GitHub, options: CheckActorOptions): Promise<ActorPermission> {
  const actor = (options.actor ?? '').trim();
  if (actor === '') {
    return {
      allowed: false,
      actor,
      isBot: false,
      permission: 'none',
      reason: 'The event names no actor, so no one can be checked.',
    };
  }
  if (isBotLogin(actor, options.actorType)) {
    const allowed = (options.allowedBots ?? []).some((b) => b.trim() !== '' && botKey(b) === botKey(actor));
    return {
      allowed,
      actor,
      isBot: true,
      permission: allowed ? 'allow-listed' : 'none',
      reason: allowed
        ? `${actor} is an allow-listed bot.`
        : `${actor} is a bot, and bots may trigger runs only when listed in the allowed-bots input.`,
    };
  }
  let data: { permission?: string; role_name?: string };
  try {
    ({ data } = await gh.rest.repos.getCollaboratorPermissionLevel({
      owner: options.owner,
      repo: options.repo,
      username: actor,
    }));
  } catch (err) {
    if (httpStatus(err) === 404) {
      return {
        allowed: false,
        actor,
        isBot: false,
        permission: 'none',
        reason: `${actor} is not a collaborator of ${options.owner}/${options.repo}.`,
      };
    }
    throw explainGitHubError(
      err,
      `read ${actor}'s permission on ${options.owner}/${options.repo}`,
      'metadata: read',
    );
  }
  // role_name distinguishes maintain from write and triage from read; a custom role's name is not a level, so
  // its base permission decides.
  const role = String(data.role_name ?? '');
  const permission = ['admin', 'maintain', 'write', 'triage', 'read', 'none'].includes(role)
    ? role
    : String(data.permission ?? 'none');
  const allowed = ALLOWED.has(permission);
  return {
    allowed,
    actor,
    isBot: false,
    permission,
    reason: allowed
      ? `${actor} has ${permission} permission.`
      : `${actor} has ${permission} permission; starting a run needs write, maintain or admin.`,
  };
}
