import assert from 'node:assert/strict';
import { ConcurrencyError, CommandRejectedError, createChronicle, ValidationError } from 'chronicle-es';
import { MongoClient } from 'mongodb';
import { account } from './account.js';
import { builtInDomains } from './builtInDomains.js';
import { httpStatusOf } from './httpStatus.js';

const client = await new MongoClient(process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:27017').connect();
const chronicle = createChronicle(client.db(process.env.CHRONICLE_DB ?? 'quickstart'));
await chronicle.migrate(); // collections and indexes; safe on every start and from many processes

const accounts = chronicle.aggregate(account, { maxAttempts: 10 }); // handle re-decides up to 10 times on a lost race
await accounts.handle('alice', { type: 'Open', owner: 'Alice' });
const deposit = await accounts.handle('alice', { type: 'Deposit', amount: 100 });
console.log('deposit ->', deposit.version, deposit.state); // 2 { owner: 'Alice', balance: 100 }

// Ten parallel withdrawals of 30: handle retries lost races, the overdraft rule holds.
const results = await Promise.allSettled(Array.from({ length: 10 }, () => accounts.handle('alice', { type: 'Withdraw', amount: 30 })));
const statuses = results.map((r) => (r.status === 'fulfilled' ? 200 : httpStatusOf(r.reason)));
assert.deepEqual([...statuses].sort(), [200, 200, 200, 422, 422, 422, 422, 422, 422, 422]);
const { state, version } = await accounts.load('alice'); // latest snapshot + the events after it
assert.deepEqual(state, { owner: 'Alice', balance: 10 });

// If-Match: handle only at the version the client saw; a stale one is a ConcurrencyError (409).
const stale = await accounts.handle('alice', { type: 'Deposit', amount: 5 }, { expectedVersion: version - 1 }).catch((e: unknown) => e);
assert.ok(stale instanceof ConcurrencyError && httpStatusOf(stale) === 409);

// Raw appends racing on one version: exactly one wins, the rest get ConcurrencyError.
const race = await Promise.allSettled(
  Array.from({ length: 20 }, (_, i) => chronicle.events.append(`race-${version}`, [{ type: 'Tick', data: { i } }], { expectedVersion: 0 })),
);
assert.equal(race.filter((r) => r.status === 'fulfilled').length, 1);
assert.ok(race.every((r) => r.status === 'fulfilled' || r.reason instanceof ConcurrencyError));

// Events decided outside handle go through aggregate.append: checked against eventSchemas.
const appended = await accounts.append('alice', [{ type: 'Deposited', data: { amount: 7 } }], { expectedVersion: version });
const bad = await accounts.append('alice', [{ type: 'Deposited', data: { amount: -1 } }], { expectedVersion: appended.version }).catch((e: unknown) => e);
assert.ok(bad instanceof ValidationError && httpStatusOf(bad) === 400);

// Recorded events are a union discriminated on `type`: no casts.
for (const e of await accounts.readEvents('alice')) {
  console.log(e.version, e.type === 'Opened' ? `opened by ${e.data.owner}` : `${e.type} ${e.data.amount}`);
}
const rejected = await accounts.handle('bob', { type: 'Deposit', amount: 1 }).catch((e: unknown) => e);
assert.ok(rejected instanceof CommandRejectedError && rejected.reason === 'the account is not open');

console.log((await builtInDomains(chronicle)).join('\n'));
await client.close(); // you created the client, you close it
console.log('quickstart: ok');
