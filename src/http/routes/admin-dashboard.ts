import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TesseraError } from '../../errors/index.js';
import type { RouteGroup } from '../route-group.js';

const here = dirname(fileURLToPath(import.meta.url));
/** web/ sits at the package root, beside src/ and dist/ (this file is three levels down in either). */
const WEB = join(here, '..', '..', '..', 'web', 'admin');
const require = createRequire(import.meta.url);

const FILES: Record<string, { path: () => string; type: string }> = {
  '/admin': { path: () => join(WEB, 'index.html'), type: 'text/html; charset=utf-8' },
  '/admin/app.js': { path: () => join(WEB, 'app.js'), type: 'text/javascript; charset=utf-8' },
  '/admin/charts.js': { path: () => join(WEB, 'charts.js'), type: 'text/javascript; charset=utf-8' },
  '/admin/api.js': { path: () => join(WEB, 'api.js'), type: 'text/javascript; charset=utf-8' },
  '/admin/monitors.js': { path: () => join(WEB, 'monitors.js'), type: 'text/javascript; charset=utf-8' },
  '/admin/style.css': { path: () => join(WEB, 'style.css'), type: 'text/css; charset=utf-8' },
  '/admin/vendor/uPlot.esm.js': {
    path: () => require.resolve('uplot/dist/uPlot.esm.js'),
    type: 'text/javascript; charset=utf-8',
  },
  '/admin/vendor/uPlot.min.css': {
    path: () => require.resolve('uplot/dist/uPlot.min.css'),
    type: 'text/css; charset=utf-8',
  },
};

/**
 * The dashboard's policy: its own scripts and styles only (no inline code, handlers or style attributes), API calls
 * to this origin, never framed. Charts set styles through the CSSOM, which a policy does not restrict.
 */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * GET /admin and its assets: static files read once at start (no build step, nothing fetched from the network).
 * The page itself is public; every API call it makes needs an admin session, which rides on the HttpOnly session
 * cookie the login sets (the page keeps no token). Served with the observability layer.
 */
export const adminDashboardRoutes: RouteGroup = async (app, { deps, authenticate }) => {
  if (!deps.observability) return;
  for (const [url, file] of Object.entries(FILES)) {
    const body = await readFile(file.path());
    app.get(url, { schema: { hide: true } }, async (_request, reply) =>
      reply
        .header('content-type', file.type)
        .header('cache-control', 'no-cache')
        .header('content-security-policy', DASHBOARD_CSP)
        .header('x-content-type-options', 'nosniff')
        .send(body),
    );
  }
  app.get('/admin/', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/admin'));

  // Whether the browser's session cookie already signs in an admin: the page opens on the dashboard then, not on the
  // login form. Always 200, so a signed-out visit logs no failed request in the browser's console.
  app.get('/admin/whoami', { schema: { hide: true } }, async (request, reply) => {
    reply.header('cache-control', 'no-store');
    try {
      const entry = await authenticate(request, reply);
      return { signedIn: true, admin: entry.user.roles.includes('admin'), email: entry.user.email };
    } catch (error) {
      if (error instanceof TesseraError && error.status === 401) return { signedIn: false, admin: false };
      throw error;
    }
  });
};
