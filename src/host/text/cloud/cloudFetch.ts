// The fetch the SDKs use when a call needs a proxy or a company CA: undici's own fetch with an undici
// dispatcher. Both must come from the same undici package (Node's built-in fetch rejects a
// dispatcher from another undici version), so the SDKs get this fetch through their `fetch` option
// rather than a dispatcher in `fetchOptions` alone.
import { rootCertificates } from 'node:tls';
import { Agent, ProxyAgent, fetch as undiciFetch, type Dispatcher } from 'undici';
import type { CloudConnectionOptions } from './cloudProvider';

/** The shape both SDKs' `fetch` option takes. */
export type CloudFetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** A fetch for the proxy and CAs in `options`, or undefined when there are none (the SDKs then use the
 * global fetch, which VS Code may already route through the user's proxy settings). */
export function cloudFetch(options: Pick<CloudConnectionOptions, 'proxyUrl' | 'caCertificates'>): CloudFetch | undefined {
  const extraCas = options.caCertificates?.filter((pem) => pem.trim() !== '') ?? [];
  const proxyUrl = options.proxyUrl?.trim() ?? '';
  if (proxyUrl === '' && extraCas.length === 0) return undefined;
  // `ca` replaces the trusted roots rather than adding to them, so Node's own roots go in too.
  const tls = extraCas.length > 0 ? { ca: [...rootCertificates, ...extraCas] } : {};
  // A proxy tunnels every request with CONNECT; its CA may sign both the proxy's and the target's certificates.
  const dispatcher: Dispatcher = proxyUrl !== '' ? new ProxyAgent({ uri: proxyUrl, requestTls: tls, proxyTls: tls }) : new Agent({ connect: tls });
  return async (input, init) => {
    if (input instanceof Request) throw new TypeError('cloudFetch takes a URL, as the SDKs pass it');
    // undici's Response and RequestInit are the WHATWG ones under undici's own declarations: only the types differ.
    const response: unknown = await undiciFetch(input, { ...(init as Parameters<typeof undiciFetch>[1]), dispatcher });
    return response as Response;
  };
}
