// Starts the real API binary on SQLite in a temporary directory, serving the built web app.
// Emails go to <dir>/mail/*.eml (no SMTP configured); see mail.mjs.

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync, createWriteStream, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const webDir = resolve(fileURLToPath(new URL('../..', import.meta.url)));

export const PORTAL_BIN = resolve(webDir, process.env.PORTAL_BIN ?? '../target/debug/portal');

async function freePort() {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.unref();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => ok(port));
    });
  });
}

/** Starts the API; resolves once /readyz answers. */
export async function startApi(extraEnv = {}) {
  if (!existsSync(PORTAL_BIN)) {
    throw new Error(`API binary not found at ${PORTAL_BIN}: run \`cargo build -p portal-api\` or set PORTAL_BIN`);
  }
  if (!existsSync(join(webDir, 'dist', 'index.html'))) {
    throw new Error('web/dist is missing: run `npm run build` first');
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'portal-e2e-'));
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const log = createWriteStream(join(dataDir, 'server.log'));
  const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      RUST_LOG: process.env.RUST_LOG ?? 'warn',
      PORTAL_DATA_DIR: dataDir,
      PORTAL_BIND: `127.0.0.1:${port}`,
      PORTAL_PUBLIC_URL: baseUrl,
      PORTAL_WEB_DIR: join(webDir, 'dist'),
      PORTAL_CAPTCHA_POW_DIFFICULTY: '10',
      PORTAL_PROVISION_DELAY_SECONDS: '2',
      PORTAL_MAIL_CONSOLE: 'false',
      ...extraEnv,
  };
  const child = spawn(PORTAL_BIN, [], { cwd: dataDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  let exited = null;
  child.on('exit', (code) => {
    exited = code ?? -1;
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited !== null) throw new Error(`the API exited with ${exited}; see ${join(dataDir, 'server.log')}`);
    try {
      const res = await fetch(`${baseUrl}/readyz`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('the API did not become ready in 30 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    /** Runs a subcommand of the same binary on the same data (publish-legal, create-admin). */
    cli(args) {
      const result = spawnSync(PORTAL_BIN, args, { cwd: dataDir, env, encoding: 'utf8' });
      if (result.status !== 0) throw new Error(`portal ${args.join(' ')} failed: ${result.stderr}`);
      return result.stdout;
    },
    baseUrl,
    dataDir,
    mailDir: join(dataDir, 'mail'),
    /** Publishes a new version of a legal document (every account must accept it again). */
    publishLegal(kind, version, title) {
      const file = join(dataDir, `${kind}-${version}.md`);
      writeFileSync(file, `# ${title}\n\n## 1. What changed\n\nThis version clarifies how long we keep usage records.\n`);
      return this.cli(['publish-legal', '--kind', kind, '--version', version, '--file', file]);
    },
    async stop({ keep = false } = {}) {
      if (exited === null) {
        child.kill('SIGTERM');
        await new Promise((r) => {
          const timer = setTimeout(() => {
            child.kill('SIGKILL');
            r();
          }, 5000);
          child.once('exit', () => {
            clearTimeout(timer);
            r();
          });
        });
      }
      if (!keep) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
