// The one way the router gets a cloud provider: picks the SDK for the endpoint's provider and the
// transport for the proxy and company CA, and checks what would otherwise fail deep in an SDK.
import { AnthropicProvider } from './anthropicProvider';
import { CloudError } from './cloudErrors';
import { cloudFetch } from './cloudFetch';
import type { CloudConnectionOptions, CloudEndpoint, CloudProvider } from './cloudProvider';
import { OpenAiProvider } from './openAiProvider';

/** Throws a CloudError (kind notFound) when the base URL is not an http(s) URL. */
export function createCloudProvider(endpoint: CloudEndpoint, options: CloudConnectionOptions): CloudProvider {
  let url: URL | undefined;
  try {
    url = new URL(endpoint.baseUrl);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new CloudError(
      'notFound',
      `The base URL of the cloud endpoint "${endpoint.id}" is not an http(s) URL. Check it in Hearth's cloud endpoint settings.`,
      url?.host || endpoint.id,
    );
  }
  // The SDKs reject fractional or negative values; settings are validated, this only rounds.
  const connection: CloudConnectionOptions = {
    ...options,
    timeoutMs: Math.max(1, Math.round(options.timeoutMs)),
    maxRetries: Math.max(0, Math.floor(options.maxRetries)),
  };
  const fetch = cloudFetch(connection);
  return endpoint.provider === 'anthropic' ? new AnthropicProvider(endpoint, connection, fetch) : new OpenAiProvider(endpoint, connection, fetch);
}
