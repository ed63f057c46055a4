export * from './executables.ts';
export * from './free-port.ts';
export * from './line-buffer.ts';
export * from './managed-process.ts';
export * from './node-main.ts';
export * from './proc-stat.ts';
export * from './redis-server.ts';
export * from './wait.ts';
