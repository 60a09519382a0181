import { ProjectionCheckpoints1763769700000 } from './1763769700000-projection-checkpoints.migration';
import { InlineStreamPositions1765000000000 } from './1765000000000-inline-stream-positions.migration';

export const projectionMigrations = [ProjectionCheckpoints1763769700000, InlineStreamPositions1765000000000];
