import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

interface Service {
  image?: string;
  command?: string[];
  healthcheck?: { test?: string[]; interval?: string; retries?: number };
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  profiles?: string[];
}

// The docker client here has no compose plugin and no engine; this checks what
// `docker compose config` would, as far as the file's own structure goes.
const compose = parse(readFileSync(new URL('../../docker-compose.yml', import.meta.url), 'utf8')) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};

describe('docker-compose.yml', () => {
  it('pins a MongoDB 8 image running a single-node replica set with a healthcheck', () => {
    const mongo = compose.services.mongo;
    expect(mongo?.image).toMatch(/^mongo:8\.\d+\.\d+$/);
    expect(mongo?.command).toEqual(expect.arrayContaining(['--replSet', 'rs0']));
    expect(mongo?.healthcheck?.test?.join(' ')).toMatch(/rs\.initiate/);
    expect(mongo?.healthcheck?.retries).toBeGreaterThan(0);
  });

  it('has a chronicle service (profile app) that waits for a healthy MongoDB', () => {
    const app = compose.services.chronicle;
    expect(app?.profiles).toEqual(['app']);
    expect(app?.environment?.MONGODB_URI).toMatch(/^mongodb:\/\/mongo:27017\/\?replicaSet=rs0$/);
    expect(app?.depends_on?.mongo?.condition).toBe('service_healthy');
    expect(app?.command?.join(' ')).toMatch(/npm start/);
  });

  it('declares every named volume it uses', () => {
    const used = Object.values(compose.services).flatMap((s) => ((s as { volumes?: string[] }).volumes ?? []).map((v) => v.split(':')[0]));
    for (const v of used.filter((v): v is string => !!v && !v.startsWith('.'))) expect(compose.volumes).toHaveProperty(v);
  });
});
