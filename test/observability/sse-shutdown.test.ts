import { expect, it } from 'vitest';
import { ADMIN_TOKEN, startHarness } from './harness.js';

it('closing the server ends open SSE streams instead of waiting for the dashboard to leave', async () => {
  const h = await startHarness();
  const res = await fetch(`${h.url}/v1/admin/metrics/stream`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  while (!text.includes('event: summary')) text += (await reader.read()).value ?? '';
  const started = Date.now();
  await h.close();
  expect(Date.now() - started).toBeLessThan(3_000);
  for (;;) {
    const { done } = await reader.read();
    if (done) break;
  }
});
