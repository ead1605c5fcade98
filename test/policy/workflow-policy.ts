/**
 * The workflow rules of the design, as a checker over a workflow's YAML text. It is a test helper (the
 * policy is enforced by `workflows.test.ts`), written to say which rule a workflow breaks and where, so a
 * finding reads as the fix.
 *
 * Rules:
 * - no `pull_request_target` or `workflow_run` trigger (they run with the base repository's token and
 *   secrets on code or data an outsider controls);
 * - every third-party `uses:` (step or reusable workflow) pinned to a full 40-hex commit SHA; local
 *   `./actions/...` are the repository's own code and need no pin; `docker://` images need a digest;
 * - every job declares its own `permissions:`;
 * - no `${{ github.event.* }}`, `${{ inputs.* }}`, `${{ github.head_ref }}` (values an outsider writes)
 *   inside a `run:` script, where they would be pasted into shell code: pass them through `env:`;
 * - in a workflow a pull request triggers, a step that can push (a `git push` in a script, or an action in
 *   a job whose token may write contents) must be guarded by an `if:` that proves the PR's head is in this
 *   repository, or be one of the local actions that decide that themselves (FORK_AWARE_ACTIONS).
 */
import { parse } from 'yaml';

export interface Finding {
  rule: 'trigger' | 'pin' | 'permissions' | 'injection' | 'fork-push' | 'parse';
  where: string;
  message: string;
}

/**
 * Local actions that decide themselves whether the pull request comes from a fork before pushing, and push
 * only when its head repository is this one. `./actions/retrain` compares the event's
 * `pull_request.head.repo.full_name` with the base repository (actions/retrain/src/event.ts) and uploads an
 * artifact instead of pushing for a fork (proven in test/actions/retrain.test.ts, "fork PR").
 */
export const FORK_AWARE_ACTIONS: Readonly<Record<string, string>> = {
  './actions/retrain': 'actions/retrain/src/event.ts',
};

/** Third-party actions known never to push, whatever the token can do. */
const READ_ONLY_ACTIONS = new Set([
  'actions/checkout',
  'actions/setup-node',
  'actions/cache',
  'actions/upload-artifact',
  'actions/download-artifact',
]);

/** The expression that proves a pull request's head branch lives in this repository. */
export const SAME_REPOSITORY_GUARD =
  /github\.event\.pull_request\.head\.repo\.full_name\s*==\s*github\.repository/;

/** Contexts whose values an outsider can write (PR titles, branch names, dispatch inputs, ...). */
const UNTRUSTED_EXPRESSION = /\$\{\{[^}]*?\b(github\.event\b|inputs\.|github\.head_ref\b)[^}]*\}\}/;

const PINNED = /^[\w.-]+\/[\w.-]+(\/[\w./-]+)?@[0-9a-f]{40}$/;

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
}
interface Job {
  permissions?: unknown;
  uses?: string;
  if?: string;
  steps?: Step[];
}

/** The event names of `on:` in any of its three forms (a name, a list, a map). */
function triggers(on: unknown): string[] {
  if (typeof on === 'string') return [on];
  if (Array.isArray(on)) return on.map(String);
  if (on && typeof on === 'object') return Object.keys(on);
  return [];
}

/** Whether a token with these permissions may write the repository's contents. */
function canWriteContents(permissions: unknown): boolean {
  if (permissions === undefined) return true; // the default token may be read-write
  if (permissions === 'write-all') return true;
  if (typeof permissions === 'string') return false; // read-all
  if (permissions && typeof permissions === 'object') {
    return (permissions as Record<string, unknown>).contents === 'write';
  }
  return false;
}

function checkUses(uses: string, where: string, findings: Finding[]): void {
  if (uses.startsWith('./')) return;
  if (uses.startsWith('docker://')) {
    if (!/@sha256:[0-9a-f]{64}$/.test(uses)) {
      findings.push({ rule: 'pin', where, message: `${uses} must be pinned by image digest (@sha256:...)` });
    }
    return;
  }
  if (!PINNED.test(uses)) {
    findings.push({
      rule: 'pin',
      where,
      message: `${uses} is not pinned to a full commit SHA (owner/repo@<40 hex>, with a "# vX.Y.Z" comment)`,
    });
  }
}

const actionName = (uses: string): string => uses.split('@')[0]!;

export function checkWorkflow(text: string, file: string): Finding[] {
  const findings: Finding[] = [];
  let workflow: { on?: unknown; permissions?: unknown; jobs?: Record<string, Job> };
  try {
    // `on` must stay the string "on", not YAML 1.1's boolean true
    workflow = parse(text, { version: '1.2' }) as typeof workflow;
  } catch (error) {
    return [{ rule: 'parse', where: file, message: (error as Error).message }];
  }
  if (!workflow || typeof workflow !== 'object' || !workflow.jobs) {
    return [{ rule: 'parse', where: file, message: 'not a workflow (no jobs)' }];
  }
  const events = triggers(workflow.on);
  for (const event of ['pull_request_target', 'workflow_run']) {
    if (events.includes(event)) {
      findings.push({
        rule: 'trigger',
        where: `${file}: on`,
        message: `${event} runs with this repository's write token and secrets on an outsider's input; use pull_request`,
      });
    }
  }
  const pullRequest = events.some((e) => e.startsWith('pull_request'));

  for (const [id, job] of Object.entries(workflow.jobs)) {
    const at = `${file}: jobs.${id}`;
    if (job.permissions === undefined) {
      findings.push({
        rule: 'permissions',
        where: at,
        message: 'the job has no permissions: of its own (least privilege per job)',
      });
    }
    if (job.uses) checkUses(job.uses, `${at}.uses`, findings);
    const jobGuarded = SAME_REPOSITORY_GUARD.test(job.if ?? '');
    const writes = canWriteContents(job.permissions ?? workflow.permissions);
    (job.steps ?? []).forEach((step, index) => {
      const where = `${at}.steps[${index}]${step.name ? ` (${step.name})` : step.id ? ` (${step.id})` : ''}`;
      if (step.uses) checkUses(step.uses, where, findings);
      if (step.run && UNTRUSTED_EXPRESSION.test(step.run)) {
        findings.push({
          rule: 'injection',
          where,
          message: `run: pastes ${UNTRUSTED_EXPRESSION.exec(step.run)![0]} into a shell script; pass it through env: instead`,
        });
      }
      if (!pullRequest || jobGuarded || SAME_REPOSITORY_GUARD.test(step.if ?? '')) return;
      const pushes = step.run !== undefined && /\bgit\b[^\n]*\bpush\b/.test(step.run);
      const mayPush =
        step.uses !== undefined &&
        writes &&
        !READ_ONLY_ACTIONS.has(actionName(step.uses)) &&
        !(step.uses in FORK_AWARE_ACTIONS);
      if (pushes || mayPush) {
        findings.push({
          rule: 'fork-push',
          where,
          message:
            'this step can push on a pull request and nothing stops it for a fork: add ' +
            'if: github.event.pull_request.head.repo.full_name == github.repository, or use an action that checks it',
        });
      }
    });
  }
  return findings;
}
