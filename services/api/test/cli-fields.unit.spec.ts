import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  presentApp, presentCollaborator, presentDomain, presentDyno, presentFormation, presentRelease, type Site,
} from '../src/domain/presenters.js';

/** The fields the Heroku CLI v11 reads from each resource (found by running its commands against us). */
const CLI_READS = {
  app: ['id', 'name', 'web_url', 'git_url', 'owner.email', 'region.name', 'stack.name', 'build_stack.name', 'repo_size', 'slug_size', 'create_status', 'created_at', 'updated_at', 'released_at', 'acm', 'maintenance'],
  release: ['id', 'version', 'description', 'user.email', 'created_at', 'current', 'status', 'output_stream_url', 'slug', 'app.name'],
  formation: ['id', 'type', 'quantity', 'size', 'command', 'updated_at', 'app.name'],
  dyno: ['id', 'name', 'type', 'command', 'size', 'state', 'updated_at', 'release.version', 'app.name'],
  domain: ['id', 'hostname', 'kind', 'cname', 'status', 'app.name'],
  customDomain: ['id', 'hostname', 'kind', 'cname', 'status', 'sni_endpoint', 'acm_status', 'app.name'],
  collaborator: ['id', 'user.email', 'role', 'app.name'],
};

const site: Site = { adminEmail: 'admin@paas.local', domain: 'localhost', routerPort: 8080, apiUrl: 'http://127.0.0.1:5000' };
const app = { id: '0f4e4a53-8e0b-4c39-9f4e-2d2f0c0b6a11', name: 'myapp', stack: 'heroku-24', region: 'us', owner: 'admin@paas.local', createdAt: '2026-11-24T20:00:00.000Z', updatedAt: '2026-11-24T20:01:00.000Z', releaseVersion: 2, slugSize: null, maintenance: false };
const release = { id: '9d1c2b3a-8e0b-4c39-9f4e-2d2f0c0b6a11', appId: app.id, appName: 'myapp', version: 2, description: 'Deploy abc1234', by: 'admin@paas.local', createdAt: app.createdAt, slug: null, config: {}, current: true, buildId: null, status: 'succeeded' as const };
const dyno = { id: 'web-1-abc', appId: app.id, appName: 'myapp', name: 'web.1', type: 'web', command: 'npm start', size: 'standard-1x' as const, state: 'up' as const, releaseVersion: 2, host: '127.0.0.1', port: 20000, createdAt: app.createdAt, updatedAt: app.updatedAt };

function has(obj: unknown, path: string): boolean {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || !(part in cur)) return false;
    cur = (cur as Record<string, unknown>)[part];
  }
  return true;
}

describe('every field the Heroku CLI reads is in our replies', () => {
  const samples: Record<keyof typeof CLI_READS, unknown> = {
    app: presentApp(site, app),
    release: presentRelease(site, release),
    formation: presentFormation(app, { type: 'web', quantity: 1, size: 'standard-1x', command: 'npm start', updatedAt: app.updatedAt }),
    dyno: presentDyno(dyno, release.id),
    domain: presentDomain(site, app),
    customDomain: presentDomain(site, app, { hostname: 'www.example.com', kind: 'custom', createdAt: app.createdAt }),
    collaborator: presentCollaborator(app, { email: app.owner, role: 'owner', createdAt: app.createdAt }),
  };
  for (const [resource, fields] of Object.entries(CLI_READS)) {
    test(resource, () => {
      const missing = fields.filter((f) => !has(samples[resource as keyof typeof CLI_READS], f));
      assert.deepEqual(missing, [], `${resource} lacks ${missing.join(', ')}`);
    });
  }
});
