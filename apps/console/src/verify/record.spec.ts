import { PROCESSING_KINDS as SERVER_KINDS } from '@attest/kernel';
import { PROCESSING_KINDS } from './record';

describe('the console’s copy of the record format', () => {
  it('lists exactly the server’s processing kinds, in the same order', () => {
    expect([...PROCESSING_KINDS]).toEqual([...SERVER_KINDS]);
  });
});
