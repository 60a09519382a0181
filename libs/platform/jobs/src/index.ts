export * from './lib/job-runner';
export { jobMigrations } from './lib/migrations';
