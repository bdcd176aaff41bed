// The client libraries opsdeck talks to the outside through, each loaded the first time a connection
// or a collector of its kind opens, never at start-up: together they are ~300 modules and most of a
// command's start-up time, and a command needs only those its config uses (`--version` none, a
// snapshot of this machine none where /proc is readable). Every other module imports them as types
// only (depcruise/runtime.mjs keeps it so).

export const loadPg = async () => (await import('pg')).default;
export const loadMysql = async () => (await import('mysql2/promise')).default;
export const loadIoredis = () => import('ioredis');
export const loadSsh2 = async () => (await import('ssh2')).default;
export const loadNodeSsh = () => import('node-ssh');
export const loadSysteminformation = async () => (await import('systeminformation')).default;
