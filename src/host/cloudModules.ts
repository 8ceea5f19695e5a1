// The cloud providers (the official SDKs, undici) and the secret scanner: about 3 MB of code that
// only an escalation needs. esbuild bundles this file on its own (dist/cloud.js), and
// loadCloudModules() loads it on first use, so activation does not pay for it.
export { createCloudProvider } from './text/cloud/createCloudProvider';
export { mergeFindings, redactSecrets } from './privacy/secretRedactor';
