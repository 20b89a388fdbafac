import { parentPort } from 'node:worker_threads';
import { verifySync } from '@node-rs/argon2';
parentPort.on('message', ({ id, h, p }) => parentPort.postMessage({ id, ok: verifySync(h, p) }));
