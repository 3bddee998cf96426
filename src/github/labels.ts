// Labels on issues and pull requests.
import type { GitHub, RepoRef } from './client.js';
import { explainGitHubError, httpStatus } from './errors.js';

export async function addLabels(
  gh: GitHub,
  ref: RepoRef & { issueNumber: number; labels: string[] },
): Promise<void> {
  const labels = ref.labels.map((l) => l.trim()).filter((l) => l !== '');
  if (labels.length === 0) return;
  try {
    await gh.rest.issues.addLabels({
      owner: ref.owner,
      repo: ref.repo,
      issue_number: ref.issueNumber,
      labels,
    });
  } catch (err) {
    throw explainGitHubError(err, `label #${ref.issueNumber}`, 'issues: write');
  }
}

/** Removes a label; a label that is not there is not an error. Returns whether it was removed. */
export async function removeLabel(
  gh: GitHub,
  ref: RepoRef & { issueNumber: number; label: string },
): Promise<boolean> {
  try {
    await gh.rest.issues.removeLabel({
      owner: ref.owner,
      repo: ref.repo,
      issue_number: ref.issueNumber,
      name: ref.label,
    });
    return true;
  } catch (err) {
    if (httpStatus(err) === 404) return false;
    throw explainGitHubError(err, `remove the label ${ref.label} from #${ref.issueNumber}`, 'issues: write');
  }
}

/** Creates the label in the repository when it does not exist yet. Returns whether it was created. */
export async function ensureLabel(
  gh: GitHub,
  ref: RepoRef & { name: string; color?: string; description?: string },
): Promise<boolean> {
  try {
    await gh.rest.issues.getLabel({ owner: ref.owner, repo: ref.repo, name: ref.name });
    return false;
  } catch (err) {
    if (httpStatus(err) !== 404) throw explainGitHubError(err, `read the label ${ref.name}`, 'issues: read');
  }
  try {
    await gh.rest.issues.createLabel({
      owner: ref.owner,
      repo: ref.repo,
      name: ref.name,
      color: (ref.color ?? '8250df').replace(/^#/, ''),
      description: ref.description ?? '',
    });
    return true;
  } catch (err) {
    if (httpStatus(err) === 422) return false; // created meanwhile
    throw explainGitHubError(err, `create the label ${ref.name}`, 'issues: write');
  }
}
