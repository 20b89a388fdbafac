import type { FastifyInstance } from 'fastify';
import secureJson from 'secure-json-parse';
import { TesseraError } from '../errors/index.js';

/** JSON_MAX_DEPTH's default: far deeper than any body of this API, far shallower than any stack limit. */
export const DEFAULT_JSON_MAX_DEPTH = 32;

const OPEN_OBJECT = 0x7b; // {
const OPEN_ARRAY = 0x5b; // [
const CLOSE_OBJECT = 0x7d; // }
const CLOSE_ARRAY = 0x5d; // ]
const QUOTE = 0x22; // "
const BACKSLASH = 0x5c; // \

/**
 * The deepest nesting of objects and arrays in a JSON text, counted on the text itself (strings skipped), so a
 * body nested deeper than allowed is refused before the parser builds it. Stops counting once `limit` is
 * exceeded. Malformed text is left to the parser: this only has to be right for text that parses.
 */
export function jsonDepthExceeds(text: string, limit: number): boolean {
  if (text.length <= limit) return false; // `limit + 1` levels need at least that many opening brackets
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (++depth > limit) return true;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) depth--;
  }
  return false;
}

/**
 * JSON is the only accepted body (anything else → 415). An empty body is no body, so body-less POSTs
 * that still send `Content-Type: application/json` work; `__proto__`/`constructor` keys are rejected, and so is
 * nesting deeper than `maxDepth` objects/arrays (400): nothing downstream (validation, JSON.stringify, the
 * stores) ever meets a structure deep enough to exhaust the stack.
 */
export function registerJsonBodies(app: FastifyInstance, maxDepth = DEFAULT_JSON_MAX_DEPTH): void {
  const tooDeep = () =>
    new TesseraError('invalid_request', 'The request body is nested too deeply.', {
      details: [{ field: 'body', message: `must nest objects and arrays at most ${maxDepth} levels deep` }],
    });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(/^application\/([\w.+-]+\+)?json$/, { parseAs: 'string' }, (_request, body, done) => {
    const text = (body as string).trim();
    if (text === '') return done(null, undefined);
    if (jsonDepthExceeds(text, maxDepth)) return done(tooDeep(), undefined);
    try {
      done(null, secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' }));
    } catch {
      done(
        Object.assign(new SyntaxError('invalid JSON'), { statusCode: 400, code: 'FST_ERR_CTP_INVALID_JSON_BODY' }),
        undefined,
      );
    }
  });
}
