/**
 * The tests' throwaway redis-server: the launcher lives in
 * bench/scenarios/redis-server.ts (the Redis benchmark runs it compiled);
 * this re-exports it so tests say what they use from test/support.
 */
export { freePort, hasRedis, startRedis, type TestRedis } from "../../bench/scenarios/redis-server.js";
