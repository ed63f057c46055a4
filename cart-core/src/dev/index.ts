/** For Node programs that drive the API from outside (the bench, the tests), never for an app. */
export * from './cookie-jar.ts';
