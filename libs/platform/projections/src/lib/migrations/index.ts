import { ProjectionCheckpoints1763769700000 } from './1763769700000-projection-checkpoints.migration';

export const projectionMigrations = [ProjectionCheckpoints1763769700000];
