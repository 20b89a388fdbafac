import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { TesseraError } from '../../errors/index.js';
import type { SelfAddress } from '../../loadtest/service/target.js';
import type { RouteGroup } from '../route-group.js';
import { responses } from '../schemas.js';
import {
  BaselineSchema,
  CompareQuery,
  ComparisonSchema,
  IdParams,
  ListQuery,
  PresetsSchema,
  ReportQuery,
  ReportResponse,
  RunSchema,
  StartBody,
} from './admin-loadtests-schemas.js';

const tags = ['loadtests'];
const RunResponse = Type.Object({ run: Type.Ref('LoadTestRun') });

/** This server's listening address, as the allow-list knows it. */
function selfAddress(app: FastifyInstance): SelfAddress {
  const address = app.server.address();
  if (!address || typeof address === 'string')
    throw new TesseraError('unavailable', 'The server is not listening on a TCP port.');
  return { host: address.address, port: address.port };
}

/** /v1/admin/loadtests: run load tests and suites from the server, admin only (when the runtime has a load-test service). */
export const adminLoadTestsRoutes: RouteGroup = async (app, { deps, requireAdmin }) => {
  const service = deps.loadTests;
  if (!service) return;
  app.addSchema(RunSchema);
  // A run hitting this very server would keep a graceful close waiting: stop it first (it saves a partial report).
  app.addHook('preClose', async () => service.close());

  app.get(
    '/v1/admin/loadtests/presets',
    {
      preHandler: requireAdmin,
      schema: {
        tags,
        summary: "Runnable presets (scenarios × profiles, suites) with their defaults and this server's limits",
        response: responses({ 200: PresetsSchema }, [401, 403]),
      },
    },
    async () => service.presets(selfAddress(app)),
  );

  app.post(
    '/v1/admin/loadtests',
    {
      preHandler: requireAdmin,
      schema: {
        tags,
        summary: 'Start a load test or a suite (one at a time per instance); answers at once with the running run',
        body: StartBody,
        response: responses({ 202: RunResponse }, [400, 401, 403, 409, 415]),
      },
    },
    async (request, reply) => {
      const body = request.body ?? {};
      const run = await service.start(body, { self: selfAddress(app), createdBy: request.session?.user.email ?? null });
      return reply.code(202).header('location', `/v1/admin/loadtests/${run.id}`).send({ run });
    },
  );

  app.get(
    '/v1/admin/loadtests',
    {
      preHandler: requireAdmin,
      schema: {
        tags,
        summary: 'Recent load tests, newest first',
        querystring: ListQuery,
        response: responses({ 200: Type.Object({ runs: Type.Array(Type.Ref('LoadTestRun')) }) }, [400, 401, 403]),
      },
    },
    async (request) => {
      const { limit } = request.query;
      return { runs: await service.list(limit === undefined ? 50 : Number(limit)) };
    },
  );

  app.get(
    '/v1/admin/loadtests/:id',
    {
      preHandler: requireAdmin,
      schema: {
        tags,
        summary: 'A load test: status, live progress, and its k6-shaped summary once done',
        params: IdParams,
        response: responses({ 200: RunResponse }, [400, 401, 403, 404]),
      },
    },
    async (request) => ({ run: await service.get(request.params.id) }),
  );

  app.post(
    '/v1/admin/loadtests/:id/stop',
    {
      preHandler: requireAdmin,
      schema: {
        tags,
        summary:
          'Stop a running load test; 200 once it ended (status stopped, partial report), 202 if it is still finishing',
        params: IdParams,
        response: responses({ 200: RunResponse, 202: RunResponse }, [400, 401, 403, 404]),
      },
    },
    async (request, reply) => {
      const { run, ended } = await service.stop(request.params.id);
      return reply.code(ended ? 200 : 202).send({ run });
    },
  );

  app.get(
    '/v1/admin/loadtests/:id/report',
    {
      preHandler: requireAdmin,
      schema: {
        tags,
        summary:
          'The report: JSON (k6-shaped, as `tessera loadtest --out json` writes it) by default; ?format=html the self-contained HTML page; ?format=csv',
        params: IdParams,
        querystring: ReportQuery,
        response: { ...responses({}, [400, 401, 403, 404, 409]), 200: ReportResponse },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const { format = 'json' } = request.query;
      if (format === 'json')
        return reply
          .type('application/json; charset=utf-8')
          .serializer((payload) => payload as string)
          .send(await service.reportJson(id));
      const report = await service.report(id);
      if (format === 'csv') {
        const { toCsv } = await import('../../loadtest/report/csv.js'); // loaded with the first report asked for
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="loadtest-${id}.csv"`)
          .serializer((p) => p as string)
          .send(toCsv(report));
      }
      const [{ toHtml }, { htmlReportCsp }] = await Promise.all([
        import('../../loadtest/report/html.js'),
        import('../../loadtest/report/html-csp.js'),
      ]);
      const html = toHtml(report);
      return reply
        .type('text/html; charset=utf-8')
        .header('content-security-policy', htmlReportCsp(html))
        .serializer((p) => p as string)
        .send(html);
    },
  );

  app.post(
    '/v1/admin/loadtests/:id/baseline',
    {
      preHandler: requireAdmin,
      schema: {
        tags,
        summary: 'Save a finished run as a baseline (201; 200 when it already is one)',
        params: IdParams,
        response: responses(
          { 200: Type.Object({ baseline: BaselineSchema }), 201: Type.Object({ baseline: BaselineSchema }) },
          [400, 401, 403, 404, 409],
        ),
      },
    },
    async (request, reply) => {
      const { baseline, created } = await service.saveBaseline(request.params.id);
      return reply.code(created ? 201 : 200).send({ baseline });
    },
  );

  app.get(
    '/v1/admin/loadtests/:id/compare',
    {
      preHandler: requireAdmin,
      schema: {
        tags,
        summary: 'Compare a run with a saved baseline, as `tessera loadtest --baseline` does',
        params: IdParams,
        querystring: CompareQuery,
        response: responses({ 200: ComparisonSchema }, [400, 401, 403, 404, 409]),
      },
    },
    async (request) => {
      const { id } = request.params;
      const { query } = request;
      const tolerance = query.tolerance === undefined ? 10 : Number(query.tolerance);
      if (!(tolerance >= 0 && tolerance <= 1000))
        throw new TesseraError('invalid_request', 'Some fields are invalid.', {
          details: [{ field: 'tolerance', message: 'must be a percentage from 0 to 1000' }],
        });
      return service.compare(id, query.baseline, tolerance);
    },
  );
};
