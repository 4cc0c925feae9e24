import { describe, expectTypeOf, it } from 'vitest';
import type { Swarm, SwarmEvents } from './swarm.js';

describe('SwarmEvents (issue 18 §4)', () => {
  it('names exactly the events the swarm emits: a misspelt one does not compile', () => {
    expectTypeOf<Parameters<Swarm['on']>[0]>().toEqualTypeOf<keyof SwarmEvents>();
    // `npm run typecheck` fails here if SwarmEvents takes any string (an index signature).
    // @ts-expect-error 'segmnet' is not a swarm event
    const misspelt: keyof SwarmEvents = 'segmnet';
    expectTypeOf(misspelt).toBeString();
  });
});
