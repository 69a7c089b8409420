/** Fixture access for tests: the same code the demo and the benchmark use. */
export * from '../../scripts/lib/fixtures.mjs';
