// EngineError crosses a Comlink channel with its fields (kind, structure, offset, expected,
// actual, feature, path), thrown or passed as a value, in both directions. Node's
// MessageChannel stands in for the worker's port: Comlink speaks the same protocol on it.

import { type Remote, expose, wrap } from 'comlink';
import { afterEach, describe, expect, it } from 'vitest';
import { EngineError, corrupt, errno, unsupported } from '../engine/errors.js';
import './error-transfer.js';

interface Api {
  fail(which: string): void;
  echo(e: EngineError): EngineError;
  describe(e: EngineError): string;
}

const ports: MessagePort[] = [];
afterEach(() => {
  for (const p of ports.splice(0)) p.close();
});

function connect(): Remote<Api> {
  const { port1, port2 } = new MessageChannel();
  ports.push(port1, port2);
  const api: Api = {
    fail(which) {
      if (which === 'corrupt') throw corrupt('GPT header', 512, 'bad CRC', 0x1234, 0x5678);
      if (which === 'unsupported') throw unsupported('qcow2 encryption (luks)');
      if (which === 'enoent') throw errno('ENOENT', 'base.qcow2', 'needs its backing file');
      if (which === 'plain') throw new RangeError('index out of range');
      throw 'a string';
    },
    echo: (e) => e,
    describe: (e) => `${e instanceof EngineError} ${e.kind} ${e.structure} ${e.offset}`,
  };
  expose(api, port1);
  return wrap<Api>(port2);
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

describe('EngineError over Comlink', () => {
  it('keeps kind, structure, offset, expected and actual of a thrown corrupt error', async () => {
    const e = await rejection(connect().fail('corrupt'));
    expect(e).toBeInstanceOf(EngineError);
    const err = e as EngineError;
    expect([err.kind, err.structure, err.offset, err.expected, err.actual]).toEqual([
      'corrupt',
      'GPT header',
      512,
      String(0x1234),
      String(0x5678),
    ]);
    expect(err.message).toBe('GPT header at offset 512: bad CRC (expected 4660, found 22136)');
  });

  it('keeps the feature of unsupported and the path of errno errors', async () => {
    const api = connect();
    const u = (await rejection(api.fail('unsupported'))) as EngineError;
    expect([u.kind, u.feature]).toEqual(['unsupported', 'qcow2 encryption (luks)']);
    const n = (await rejection(api.fail('enoent'))) as EngineError;
    expect([n.kind, n.path]).toEqual(['ENOENT', 'base.qcow2']);
  });

  it('passes other errors and thrown values as Comlink does', async () => {
    const api = connect();
    const plain = (await rejection(api.fail('plain'))) as Error;
    expect(plain).not.toBeInstanceOf(EngineError);
    expect([plain.name, plain.message]).toEqual(['RangeError', 'index out of range']);
    expect(await rejection(api.fail('other'))).toBe('a string');
  });

  it('carries an EngineError given as an argument or returned as a value', async () => {
    const api = connect();
    const e = new EngineError('corrupt', 'x', { structure: 'EBR', offset: 4096 });
    expect(await api.describe(e)).toBe('true corrupt EBR 4096');
    const back = await api.echo(e);
    expect(back).toBeInstanceOf(EngineError);
    expect([back.kind, back.structure, back.offset]).toEqual(['corrupt', 'EBR', 4096]);
  });
});
