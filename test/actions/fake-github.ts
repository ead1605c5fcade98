/**
 * A local stand-in for the parts of GitHub the actions talk to: the REST API (PR comments, pulls,
 * releases and their assets, issues, commit->PR lookup), the upload host for release assets, and the
 * Actions artifact service (Twirp JSON endpoints plus the Azure-blob-style signed URLs that
 * @actions/artifact uploads to and downloads from). It listens on 127.0.0.1 on a random port, records
 * every request, and can be told to fail requests to exercise retries and permission errors.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: Buffer;
  /** What the fake answered (0: it dropped the connection). */
  status: number;
}

export interface Comment {
  id: number;
  issue_number: number;
  body: string;
  user: { login: string; type: string };
}

export interface Asset {
  id: number;
  release_id: number;
  name: string;
  content_type: string;
  size: number;
  data: Buffer;
}

export interface Release {
  id: number;
  tag_name: string;
  name: string;
  body: string;
  target_commitish: string;
  draft: boolean;
  prerelease: boolean;
}

export interface Issue {
  number: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
  labels: string[];
}

export interface Artifact {
  id: number;
  name: string;
  runBackendId: string;
  jobBackendId: string;
  blobPath: string;
  size: number;
  finalized: boolean;
}

interface Blob {
  blocks: Map<string, Buffer>;
  data: Buffer | undefined;
  contentType: string;
}

/** One canned failure: answered instead of the real handler while `times` lasts. */
export interface Fault {
  method?: string;
  /** Matches the request path (without query). */
  path: RegExp;
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** How many matching requests get this answer; Infinity for a permanent fault. */
  times: number;
  /** Matching requests let through (answered normally) before the fault starts. */
  skip?: number;
  /** Drop the connection while the request is still being sent, instead of answering (`status` unused). */
  reset?: boolean;
}

type Handler = (
  req: IncomingMessage,
  body: Buffer,
  match: RegExpMatchArray,
  url: URL,
) => Reply | Promise<Reply>;
interface Reply {
  status: number;
  json?: unknown;
  raw?: Buffer;
  headers?: Record<string, string>;
}

const json = (status: number, body: unknown): Reply => ({ status, json: body });
const notFound = (): Reply =>
  json(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });

export class FakeGitHub {
  readonly requests: RecordedRequest[] = [];
  readonly comments: Comment[] = [];
  readonly pulls = new Map<number, Record<string, unknown>>();
  readonly releases: Release[] = [];
  readonly assets: Asset[] = [];
  readonly issues: Issue[] = [];
  readonly artifacts: Artifact[] = [];
  /** Files served at GET /files/<name> (the bank's export endpoint), with the bearer token each needs. */
  readonly files = new Map<string, { data: Buffer; token: string }>();
  /** commit SHA -> pull request numbers, for GET /repos/{o}/{r}/commits/{sha}/pulls. */
  readonly commitPulls = new Map<string, number[]>();
  private readonly blobs = new Map<string, Blob>();
  private readonly faults: Fault[] = [];
  private nextId = 1000;
  private server: Server | undefined;
  url = '';

  private readonly routes: Array<[string, RegExp, Handler]> = [
    [
      'GET',
      /^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)\/comments$/,
      (_q, _b, m) => this.listComments(Number(m[1])),
    ],
    [
      'POST',
      /^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)\/comments$/,
      (_q, b, m) => this.createComment(Number(m[1]), b),
    ],
    [
      'PATCH',
      /^\/repos\/[^/]+\/[^/]+\/issues\/comments\/(\d+)$/,
      (_q, b, m) => this.updateComment(Number(m[1]), b),
    ],
    ['GET', /^\/repos\/[^/]+\/[^/]+\/pulls\/(\d+)$/, (_q, _b, m) => this.getPull(Number(m[1]))],
    [
      'GET',
      /^\/repos\/[^/]+\/[^/]+\/commits\/([^/]+)\/pulls$/,
      (_q, _b, m) => this.commitPullList(m[1] ?? ''),
    ],
    [
      'GET',
      /^\/repos\/[^/]+\/[^/]+\/releases$/,
      () =>
        json(
          200,
          this.releases.map((r) => this.releaseJson(r)),
        ),
    ],
    [
      'GET',
      /^\/repos\/[^/]+\/[^/]+\/releases\/tags\/(.+)$/,
      (_q, _b, m) => this.releaseByTag(decodeURIComponent(m[1] ?? '')),
    ],
    ['POST', /^\/repos\/[^/]+\/[^/]+\/releases$/, (_q, b) => this.createRelease(b)],
    ['PATCH', /^\/repos\/[^/]+\/[^/]+\/releases\/(\d+)$/, (_q, b, m) => this.updateRelease(Number(m[1]), b)],
    ['GET', /^\/repos\/[^/]+\/[^/]+\/releases\/(\d+)\/assets$/, (_q, _b, m) => this.listAssets(Number(m[1]))],
    ['GET', /^\/repos\/[^/]+\/[^/]+\/releases\/assets\/(\d+)$/, (_q, _b, m) => this.getAsset(Number(m[1]))],
    [
      'DELETE',
      /^\/repos\/[^/]+\/[^/]+\/releases\/assets\/(\d+)$/,
      (_q, _b, m) => this.deleteAsset(Number(m[1])),
    ],
    [
      'POST',
      /^\/uploads\/repos\/[^/]+\/[^/]+\/releases\/(\d+)\/assets$/,
      (q, b, m, u) => this.uploadAsset(Number(m[1]), q, b, u),
    ],
    ['GET', /^\/repos\/[^/]+\/[^/]+\/issues$/, (_q, _b, _m, u) => this.listIssues(u)],
    ['POST', /^\/repos\/[^/]+\/[^/]+\/issues$/, (_q, b) => this.createIssue(b)],
    ['PATCH', /^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)$/, (_q, b, m) => this.updateIssue(Number(m[1]), b)],
    [
      'POST',
      /^\/twirp\/github\.actions\.results\.api\.v1\.ArtifactService\/(\w+)$/,
      (_q, b, m) => this.twirp(m[1] ?? '', b),
    ],
    ['PUT', /^\/blob\/(.+)$/, (_q, b, m, u) => this.putBlob(m[1] ?? '', b, u, _q)],
    ['GET', /^\/blob\/(.+)$/, (_q, _b, m) => this.getBlob(m[1] ?? '')],
    ['GET', /^\/files\/(.+)$/, (q, _b, m) => this.getFile(q, m[1] ?? '')],
  ];

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Answers the next `times` matching requests with `status` instead of handling them. */
  injectFault(fault: Fault): void {
    this.faults.push({ ...fault });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  /** Recorded requests whose method and path match. */
  requestsTo(method: string, path: RegExp): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && path.test(r.path));
  }

  addPull(number: number, pull: Record<string, unknown>): void {
    this.pulls.set(number, { number, ...pull });
  }

  /** A finished artifact's bytes (the zip that was uploaded). */
  artifactBytes(name: string): Buffer | undefined {
    const artifact = [...this.artifacts].reverse().find((a) => a.name === name && a.finalized);
    return artifact ? this.blobs.get(artifact.blobPath)?.data : undefined;
  }

  /** The fault that answers this request, if any (counting down `skip`, then `times`). */
  private takeFault(method: string, path: string): Fault | undefined {
    const fault = this.faults.find(
      (f) => f.times > 0 && (!f.method || f.method === method) && f.path.test(path),
    );
    if (!fault) return undefined;
    if (fault.skip) {
      fault.skip -= 1;
      return undefined;
    }
    fault.times -= 1;
    return fault;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = new URL(req.url ?? '/', this.url);
    const fault = this.takeFault(req.method ?? 'GET', target.pathname);
    if (fault?.reset) {
      // a connection reset in the middle of the upload: nothing read, nothing answered
      this.requests.push({
        method: req.method ?? 'GET',
        path: target.pathname,
        query: target.searchParams,
        headers: req.headers,
        body: Buffer.alloc(0),
        status: 0,
      });
      req.socket.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', this.url);
    const method = req.method ?? 'GET';
    let reply: Reply;
    if (fault) {
      reply = {
        status: fault.status,
        json: fault.body ?? { message: `injected ${fault.status}` },
        headers: fault.headers,
      };
    } else {
      reply = notFound();
      for (const [routeMethod, pattern, handler] of this.routes) {
        const match = url.pathname.match(pattern);
        if (routeMethod === method && match) {
          try {
            reply = await handler(req, body, match, url);
          } catch (error) {
            reply = json(500, { message: `fake GitHub failed: ${(error as Error).message}` });
          }
          break;
        }
      }
    }
    this.requests.push({
      method,
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body,
      status: reply.status,
    });
    const payload =
      reply.raw ?? (reply.json === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(reply.json)));
    const headers: Record<string, string> = { 'content-length': String(payload.length), ...reply.headers };
    if (!reply.raw && reply.json !== undefined) headers['content-type'] ??= 'application/json; charset=utf-8';
    res.writeHead(reply.status, headers);
    res.end(payload);
  }

  private id(): number {
    return (this.nextId += 1);
  }

  // --- issues comments and pulls

  private listComments(issue: number): Reply {
    return json(
      200,
      this.comments.filter((c) => c.issue_number === issue),
    );
  }

  private createComment(issue: number, body: Buffer): Reply {
    const { body: text } = JSON.parse(body.toString('utf8')) as { body: string };
    const comment: Comment = {
      id: this.id(),
      issue_number: issue,
      body: text,
      user: { login: 'github-actions[bot]', type: 'Bot' },
    };
    this.comments.push(comment);
    return json(201, comment);
  }

  private updateComment(id: number, body: Buffer): Reply {
    const comment = this.comments.find((c) => c.id === id);
    if (!comment) return notFound();
    comment.body = (JSON.parse(body.toString('utf8')) as { body: string }).body;
    return json(200, comment);
  }

  private getPull(number: number): Reply {
    const pull = this.pulls.get(number);
    return pull ? json(200, pull) : notFound();
  }

  private commitPullList(sha: string): Reply {
    const numbers = this.commitPulls.get(sha) ?? [];
    return json(
      200,
      numbers.map((number) => ({ number, html_url: `https://github.com/pulls/${number}` })),
    );
  }

  // --- releases and assets

  private releaseJson(release: Release): Record<string, unknown> {
    return {
      ...release,
      html_url: `https://github.com/releases/tag/${release.tag_name}`,
      upload_url: `${this.url}/uploads/repos/o/r/releases/${release.id}/assets{?name,label}`,
      assets: this.assets.filter((a) => a.release_id === release.id).map((a) => this.assetJson(a)),
    };
  }

  private assetJson(asset: Asset): Record<string, unknown> {
    const { data: _data, ...rest } = asset;
    return { ...rest, url: `${this.url}/repos/o/r/releases/assets/${asset.id}`, state: 'uploaded' };
  }

  private releaseByTag(tag: string): Reply {
    const release = this.releases.find((r) => r.tag_name === tag);
    return release ? json(200, this.releaseJson(release)) : notFound();
  }

  private createRelease(body: Buffer): Reply {
    const input = JSON.parse(body.toString('utf8')) as Partial<Release>;
    if (!input.tag_name)
      return json(422, { message: 'Validation Failed', errors: [{ field: 'tag_name', code: 'missing' }] });
    if (this.releases.some((r) => r.tag_name === input.tag_name)) {
      return json(422, {
        message: 'Validation Failed',
        errors: [{ resource: 'Release', code: 'already_exists', field: 'tag_name' }],
      });
    }
    const release: Release = {
      id: this.id(),
      tag_name: input.tag_name,
      name: input.name ?? input.tag_name,
      body: input.body ?? '',
      target_commitish: input.target_commitish ?? 'main',
      draft: input.draft ?? false,
      prerelease: input.prerelease ?? false,
    };
    this.releases.push(release);
    return json(201, this.releaseJson(release));
  }

  private updateRelease(id: number, body: Buffer): Reply {
    const release = this.releases.find((r) => r.id === id);
    if (!release) return notFound();
    Object.assign(release, JSON.parse(body.toString('utf8')) as Partial<Release>);
    return json(200, this.releaseJson(release));
  }

  private listAssets(releaseId: number): Reply {
    if (!this.releases.some((r) => r.id === releaseId)) return notFound();
    return json(
      200,
      this.assets.filter((a) => a.release_id === releaseId).map((a) => this.assetJson(a)),
    );
  }

  private getAsset(id: number): Reply {
    const asset = this.assets.find((a) => a.id === id);
    if (!asset) return notFound();
    return { status: 200, raw: asset.data, headers: { 'content-type': 'application/octet-stream' } };
  }

  private deleteAsset(id: number): Reply {
    const index = this.assets.findIndex((a) => a.id === id);
    if (index < 0) return notFound();
    this.assets.splice(index, 1);
    return { status: 204 };
  }

  private uploadAsset(releaseId: number, req: IncomingMessage, body: Buffer, url: URL): Reply {
    const name = url.searchParams.get('name');
    if (!name) return json(422, { message: 'name is required' });
    if (!this.releases.some((r) => r.id === releaseId)) return notFound();
    if (this.assets.some((a) => a.release_id === releaseId && a.name === name)) {
      return json(422, {
        message: 'Validation Failed',
        errors: [{ resource: 'ReleaseAsset', code: 'already_exists', field: 'name' }],
      });
    }
    const asset: Asset = {
      id: this.id(),
      release_id: releaseId,
      name,
      content_type: String(req.headers['content-type'] ?? 'application/octet-stream'),
      size: body.length,
      data: body,
    };
    this.assets.push(asset);
    return json(201, this.assetJson(asset));
  }

  // --- issues

  private listIssues(url: URL): Reply {
    const state = url.searchParams.get('state') ?? 'open';
    const labels = (url.searchParams.get('labels') ?? '').split(',').filter(Boolean);
    const found = this.issues.filter(
      (i) => (state === 'all' || i.state === state) && labels.every((l) => i.labels.includes(l)),
    );
    return json(
      200,
      found.map((i) => ({ ...i, labels: i.labels.map((name) => ({ name })) })),
    );
  }

  private createIssue(body: Buffer): Reply {
    const input = JSON.parse(body.toString('utf8')) as {
      title: string;
      body?: string;
      labels?: Array<string | { name: string }>;
    };
    const issue: Issue = {
      number: this.issues.length + 1,
      title: input.title,
      body: input.body ?? '',
      state: 'open',
      labels: (input.labels ?? []).map((l) => (typeof l === 'string' ? l : l.name)),
    };
    this.issues.push(issue);
    return json(201, {
      ...issue,
      labels: issue.labels.map((name) => ({ name })),
      html_url: `https://github.com/issues/${issue.number}`,
    });
  }

  private updateIssue(number: number, body: Buffer): Reply {
    const issue = this.issues.find((i) => i.number === number);
    if (!issue) return notFound();
    const input = JSON.parse(body.toString('utf8')) as Partial<Issue>;
    if (input.title !== undefined) issue.title = input.title;
    if (input.body !== undefined) issue.body = input.body;
    if (input.state !== undefined) issue.state = input.state;
    return json(200, {
      ...issue,
      labels: issue.labels.map((name) => ({ name })),
      html_url: `https://github.com/issues/${issue.number}`,
    });
  }

  // --- the artifact service (Twirp JSON, proto field names)

  private twirp(method: string, body: Buffer): Reply {
    const input = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    const runId = String(input.workflow_run_backend_id ?? '');
    const jobId = String(input.workflow_job_run_backend_id ?? '');
    switch (method) {
      case 'CreateArtifact': {
        const name = String(input.name);
        const id = this.id();
        const blobPath = `devstoreaccount1/actions-results/${runId}/${id}/${name}.zip`;
        this.artifacts.push({
          id,
          name,
          runBackendId: runId,
          jobBackendId: jobId,
          blobPath,
          size: 0,
          finalized: false,
        });
        this.blobs.set(blobPath, { blocks: new Map(), data: undefined, contentType: 'application/zip' });
        return json(200, {
          ok: true,
          signed_upload_url: `${this.url}/blob/${blobPath}?sig=fake-signature&sv=2023-11-03`,
        });
      }
      case 'FinalizeArtifact': {
        const artifact = this.artifacts.find(
          (a) => a.name === input.name && a.runBackendId === runId && !a.finalized,
        );
        if (!artifact) return json(404, { code: 'not_found', msg: 'artifact not found' });
        const blob = this.blobs.get(artifact.blobPath);
        if (!blob?.data) return json(400, { code: 'failed_precondition', msg: 'no blob was committed' });
        artifact.finalized = true;
        artifact.size = blob.data.length;
        return json(200, { ok: true, artifact_id: String(artifact.id) });
      }
      case 'ListArtifacts': {
        const nameFilter = input.name_filter as string | undefined;
        const idFilter = input.id_filter as string | undefined;
        const found = this.artifacts.filter(
          (a) =>
            a.finalized &&
            a.runBackendId === runId &&
            (nameFilter === undefined || a.name === nameFilter) &&
            (idFilter === undefined || String(a.id) === String(idFilter)),
        );
        return json(200, {
          artifacts: found.map((a) => ({
            workflow_run_backend_id: a.runBackendId,
            workflow_job_run_backend_id: a.jobBackendId,
            database_id: String(a.id),
            name: a.name,
            size: String(a.size),
            created_at: '2026-11-01T06:00:00Z',
          })),
        });
      }
      case 'GetSignedArtifactURL': {
        const artifact = [...this.artifacts]
          .reverse()
          .find((a) => a.name === input.name && a.runBackendId === runId && a.finalized);
        if (!artifact) return json(404, { code: 'not_found', msg: 'artifact not found' });
        return json(200, {
          signed_url: `${this.url}/blob/${artifact.blobPath}?sig=fake-signature&sv=2023-11-03`,
        });
      }
      default:
        return json(404, { code: 'bad_route', msg: `no handler for ${method}` });
    }
  }

  /** Azure block blob uploads: Put Block (`comp=block`), Put Block List (`comp=blocklist`), or one Put Blob. */
  private putBlob(path: string, body: Buffer, url: URL, req: IncomingMessage): Reply {
    const blob = this.blobs.get(path);
    if (!blob || url.searchParams.get('sig') === null)
      return { status: 403, raw: Buffer.from('AuthenticationFailed') };
    const azureHeaders = {
      'x-ms-request-id': String(this.id()),
      'x-ms-version': '2023-11-03',
      etag: '"0x1"',
    };
    const comp = url.searchParams.get('comp');
    if (comp === 'block') {
      blob.blocks.set(url.searchParams.get('blockid') ?? '', body);
      return { status: 201, raw: Buffer.alloc(0), headers: azureHeaders };
    }
    if (comp === 'blocklist') {
      const ids = [...body.toString('utf8').matchAll(/<(?:Latest|Uncommitted|Committed)>([^<]*)<\//g)].map(
        (m) => m[1] ?? '',
      );
      const parts = ids.map((id) => blob.blocks.get(id));
      if (parts.some((p) => p === undefined)) return { status: 400, raw: Buffer.from('InvalidBlockList') };
      blob.data = Buffer.concat(parts as Buffer[]);
      blob.contentType = String(req.headers['x-ms-blob-content-type'] ?? blob.contentType);
      return { status: 201, raw: Buffer.alloc(0), headers: azureHeaders };
    }
    blob.data = body;
    return { status: 201, raw: Buffer.alloc(0), headers: azureHeaders };
  }

  private getFile(req: IncomingMessage, name: string): Reply {
    const file = this.files.get(name);
    if (!file) return { status: 404, raw: Buffer.from('no such file') };
    if (req.headers.authorization !== `Bearer ${file.token}`)
      return { status: 401, raw: Buffer.from('unauthorized') };
    return { status: 200, raw: file.data, headers: { 'content-type': 'text/csv' } };
  }

  private getBlob(path: string): Reply {
    const blob = this.blobs.get(path);
    if (!blob?.data) return { status: 404, raw: Buffer.from('BlobNotFound') };
    return { status: 200, raw: blob.data, headers: { 'content-type': blob.contentType } };
  }
}
