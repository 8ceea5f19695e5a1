// The client options both SDKs (openai, @anthropic-ai/sdk) take alike, set once for Hearth.
import type { CloudFetch } from './cloudFetch';
import type { CloudConnectionOptions } from './cloudProvider';

export interface SdkClientOptions {
  readonly apiKey: string;
  readonly defaultHeaders: Readonly<Record<string, string | null>>;
  readonly timeout: number;
  readonly maxRetries: number;
  readonly logLevel: 'off';
  readonly fetch?: CloudFetch;
}

/** Headers that describe this machine (OS, CPU, Node version), which no endpoint needs to know;
 * a null default header removes the SDK's own. */
const NO_MACHINE_HEADERS = { 'X-Stainless-OS': null, 'X-Stainless-Arch': null, 'X-Stainless-Runtime': null, 'X-Stainless-Runtime-Version': null };

export function sdkClientOptions(options: CloudConnectionOptions, fetch: CloudFetch | undefined): SdkClientOptions {
  const keyless = options.apiKey === '';
  return {
    // Without a key the SDKs refuse to start (openai) or look for credentials in the environment and
    // on disk (@anthropic-ai/sdk), so a stand-in is given and the header it makes removed: a keyless
    // local server accepts that, and any other endpoint answers 401.
    apiKey: keyless ? 'none' : options.apiKey,
    defaultHeaders: { ...NO_MACHINE_HEADERS, ...(keyless ? { Authorization: null } : {}) },
    timeout: options.timeoutMs,
    maxRetries: options.maxRetries,
    // Failures reach the user as CloudErrors; the SDKs' console lines would only repeat them.
    logLevel: 'off',
    ...(fetch === undefined ? {} : { fetch }),
  };
}
