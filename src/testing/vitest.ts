// `chronicle-es/testing/vitest`: real-server helpers for an app's vitest suite (vitest must be installed).
export { useTestChronicle, type TestChronicle, type UseTestChronicleOptions } from './useTestChronicle.js';
export { startTestServer, type TestServer } from './testServer.js';
