/**
 * Grafana Loki, checked without storing anything (what we rely on, from grafana/loki):
 * 1. `GET /ready` answers 200 "ready"; 503 while Loki starts or its ring is unhealthy (a failure).
 *    A gateway that does not route it (404…) leaves readiness "not checked".
 * 2. `POST /loki/api/v1/push` with a PushRequest of zero streams, carrying the sink's tenant, auth
 *    and headers (its codec encodes it). The tenant is checked before the body (401 "no org id"
 *    with auth_enabled; a gateway checks credentials first too), then zero streams get 422 "error
 *    at least one valid stream is required for ingestion" (Loki 3; Loki 2.x answers 204). Nothing
 *    is stored either way (pkg/distributor/http.go pushHandler, distributor.go Push).
 * 3. Structured metadata is validated only after an entry passed the age, future and size checks
 *    (pkg/distributor/validator.go ValidateEntry), i.e. on an entry Loki would store if metadata is
 *    allowed: no harmless test exists, so it is reported "not checked". `GET
 *    /loki/api/v1/status/buildinfo` gives the version: before 3.0, Loki refuses metadata unless
 *    `allow_structured_metadata` is on (2.9's default is off), which is a warning.
 */
import type { LokiSinkConfig } from '../config/types.js';
import { createLokiCodec } from '../sinks/loki/index.js';
import { replyObject } from '../sinks/reply-json.js';
import type { Findings } from './findings.js';
import {
  excerpt,
  getRequest,
  hasCredentials,
  httpStatus,
  type Answer,
  type ProbeSession,
} from './probe-session.js';

const TENANT_HEADER = 'x-scope-orgid';

export async function probeLoki(config: LokiSinkConfig, session: ProbeSession): Promise<void> {
  const { findings } = session;
  const push = createLokiCodec(config).encode([]);
  const tenant: Record<string, string> = {};
  if (push.headers[TENANT_HEADER] !== undefined) tenant[TENANT_HEADER] = push.headers[TENANT_HEADER];

  const ready = await session.send(getRequest('/ready', tenant));
  if (!ready) return;
  if (ready.status === 200) findings.ok('ready');
  else if (ready.status === 503) findings.fail(`not ready (${httpStatus(ready)})`);
  else findings.ok(`readiness not checked (GET /ready answered HTTP ${ready.status})`);

  const answer = await session.send(push);
  if (!answer || !pushAccepted(answer, config, findings)) return;

  if (!config.structured_metadata) {
    findings.ok('structured metadata: off (structured_metadata: false)');
    return;
  }
  const version = lokiVersion(await session.send(getRequest('/loki/api/v1/status/buildinfo', tenant)));
  const why = 'Loki validates it only on an entry it would store';
  const major = version === undefined ? undefined : Number(/^v?(\d+)\./.exec(version)?.[1]);
  if (major !== undefined && major < 3) {
    findings.warn(
      `structured metadata: not checked (${why}); Loki ${version} refuses it unless limits_config.allow_structured_metadata is true: set that, or structured_metadata: false`,
    );
  } else {
    findings.ok(
      `structured metadata: not checked (${why}${version ? `; Loki ${version} accepts it with schema v13 and tsdb` : ''})`,
    );
  }
}

/** Records what the zero-stream push showed; true when it went through authentication. */
function pushAccepted(answer: Answer, config: LokiSinkConfig, findings: Findings): boolean {
  const { status } = answer;
  if (status === 422 || (status >= 200 && status < 300)) {
    const who = hasCredentials(config) ? 'credentials accepted' : 'pushes accepted without credentials';
    findings.ok(config.tenant === undefined ? who : `${who} (tenant ${config.tenant})`);
    return true;
  }
  if (status === 401 && /no org id/i.test(answer.body)) {
    findings.fail(`Loki needs a tenant (${httpStatus(answer)}): set tenant (--loki-tenant)`);
  } else if (status === 401 || status === 403) {
    findings.fail(`credentials refused (${httpStatus(answer)})`);
  } else if (status === 404 || status === 405 || (status >= 300 && status < 400)) {
    findings.fail(
      `no Loki push endpoint here (${httpStatus(answer)}): give the base URL, e.g. http://loki:3100`,
    );
  } else if (status === 429 || status >= 500) {
    findings.fail(`the push endpoint is unavailable (${httpStatus(answer)})`);
  } else {
    findings.fail(`an empty push was refused (${httpStatus(answer)})`);
  }
  return false;
}

/** `{"version":"3.4.2",…}` → "3.4.2"; undefined for anything else. */
function lokiVersion(answer: Answer | undefined): string | undefined {
  if (answer?.status !== 200) return undefined;
  const version = replyObject(answer.body)?.version;
  return typeof version === 'string' && version !== '' ? excerpt(version) : undefined;
}
