// The `hearth.privacy.*` and `hearth.cloud.*` settings with their defaults, the ones
// package.json declares (a unit test keeps the two in step). policySources.ts reads the policy's
// from each scope; cloudConnection.ts reads the connection's.
import { DEFAULT_EXCLUDE_FROM_AI, DEFAULT_MAX_BYTES_PER_REQUEST, DEFAULT_NEVER_SEND } from '../../common/policy/privacyPolicy';

export const privacySettingDefaults: Readonly<Record<string, unknown>> = {
  'hearth.privacy.mode': 'local',
  'hearth.privacy.excludeFromAI': [...DEFAULT_EXCLUDE_FROM_AI],
  'hearth.privacy.exclude': [...DEFAULT_EXCLUDE_FROM_AI],
  'hearth.privacy.neverSend': [...DEFAULT_NEVER_SEND],
  'hearth.privacy.redactSecrets': true,
  'hearth.privacy.allowedEndpoints': [],
  'hearth.privacy.cloudEndpoint': '',
  'hearth.privacy.internalServesSimple': false,
  'hearth.privacy.maxBytesPerRequest': DEFAULT_MAX_BYTES_PER_REQUEST,
  'hearth.privacy.offline': false,
  'hearth.cloud.timeoutSeconds': 60,
  'hearth.cloud.maxRetries': 2,
  'hearth.cloud.caFile': '',
};
