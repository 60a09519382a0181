import { ProjectionCheckpoints1763769700000 } from './1763769700000-projection-checkpoints.migration';
import { InlineStreamPositions1765000000000 } from './1765000000000-inline-stream-positions.migration';
import { CheckpointPositionsReadable1765800000000 } from './1765800000000-checkpoint-positions-readable.migration';

export const projectionMigrations = [ProjectionCheckpoints1763769700000, InlineStreamPositions1765000000000, CheckpointPositionsReadable1765800000000];
