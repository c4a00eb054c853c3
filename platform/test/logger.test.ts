import { createLogger } from '@meridian/platform';

const workerPorts = () => process.getActiveResourcesInfo().filter((resource) => resource === 'MessagePort').length;

describe('createLogger', () => {
  it('pretty-prints in this thread: no worker thread for a terminal', () => {
    const before = workerPorts();
    const logger = createLogger({ service: 'logger-test', level: 'silent', pretty: true });
    logger.info('not written: the level is silent');
    expect(workerPorts()).toBe(before);
  });
});
