// All workflows of the devserver tests, bundled once per test file.
export * from './activity-workflows';
export * from './basics';
export * from './children';
export * from './conformance';
export * from './messages';
export * from './recovery';
export * from './timers';
export * from './visibility';
