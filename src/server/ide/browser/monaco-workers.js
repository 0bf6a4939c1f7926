// Monaco runs its language services in workers. They are bundled beside this script (see
// scripts/build-ide.mjs) and loaded from this server, never from a CDN: the page's CSP allows no other host.
globalThis.MonacoEnvironment = {
  getWorker(_workerId, label) {
    const name = label === 'json' || label === 'graphql' ? label : 'editor';
    return new Worker(new URL(`${name}.worker.js`, document.baseURI));
  },
};
