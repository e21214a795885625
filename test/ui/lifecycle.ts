import { afterEach } from 'vitest';
import { startTestHost, type TestHost } from './host';

/** For a describe block: `const start = testHosts()`, then `start()` in each test; every host is closed after its test. */
export function testHosts(): () => TestHost {
  const started: TestHost[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((test) => test.close()));
  });
  return () => {
    const test = startTestHost();
    started.push(test);
    return test;
  };
}
