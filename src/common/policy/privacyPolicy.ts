// The privacy policy's one schema, versioned: what user and workspace settings, the policy file a
// team commits (`.hearth/policy.json`) and the machine file an IT department deploys may say.
// Every source says only what it sets; mergePolicies decides what applies.
import { z } from 'zod';

export const POLICY_VERSION = 1;

/** local: nothing leaves the machine. ask: each escalation waits for consent. cloud: complex commands may escalate. */
export const privacyModeSchema = z.enum(['local', 'ask', 'cloud']);
export type PrivacyMode = z.infer<typeof privacyModeSchema>;

/** How far each mode lets text go, for "most restrictive wins". */
export const MODE_RANK: Readonly<Record<PrivacyMode, number>> = { local: 0, ask: 1, cloud: 2 };

export const endpointTrustSchema = z.enum(['internal', 'external']);
export type EndpointTrust = z.infer<typeof endpointTrustSchema>;

/** A cloud endpoint: defined only by the user's settings or the machine file, never by a workspace. */
export const endpointSchema = z
  .object({
    /** The name commands, the policy file and the ledger use. */
    id: z.string().min(1).max(64),
    provider: z.enum(['openai', 'anthropic']),
    /** The API's base URL, e.g. https://api.openai.com/v1 or https://api.anthropic.com. */
    baseUrl: z
      .string()
      .url()
      .refine((url) => /^https?:\/\//i.test(url), 'must be an http(s) URL'),
    model: z.string().min(1),
    /** internal: inside the company network; external: a public cloud. */
    trust: endpointTrustSchema,
  })
  .strict();
export type Endpoint = z.infer<typeof endpointSchema>;

/** What one source may say; every field is optional so a source sets only what it means to. */
export const policyFileSchema = z
  .object({
    $schema: z.string().optional(),
    version: z.literal(POLICY_VERSION),
    mode: privacyModeSchema.optional(),
    /** Globs no feature reads, local or cloud. */
    excludeFromAI: z.array(z.string()).optional(),
    /** Globs never sent to any cloud. */
    neverSend: z.array(z.string()).optional(),
    redactSecrets: z.boolean().optional(),
    /**
     * The user's and the machine's sources define endpoints (objects); a workspace's policy file
     * may only name ones that exist (ids), which narrows the list.
     */
    allowedEndpoints: z.array(z.union([z.string().min(1), endpointSchema])).optional(),
    /** Lets an `internal` endpoint serve simple commands too (a laptop too small for the model). */
    internalServesSimple: z.boolean().optional(),
    maxBytesPerRequest: z.number().int().positive().optional(),
    /** No network use at all, model downloads included. */
    offline: z.boolean().optional(),
  })
  .strict();
export type PolicyFile = z.infer<typeof policyFileSchema>;
/** One source's policy, without the file's version marker. */
export type PartialPolicy = Omit<PolicyFile, '$schema' | 'version'>;

/** Files that hold secrets by convention: no feature reads them. */
export const DEFAULT_EXCLUDE_FROM_AI: readonly string[] = [
  '**/.env',
  '**/.env.*',
  '**/*.pem',
  '**/*.key',
  '**/*.p12',
  '**/*.pfx',
  '**/id_rsa*',
  '**/id_ed25519*',
  '**/id_ecdsa*',
  '**/id_dsa*',
  '**/*.kdbx',
  '**/secrets/**',
];

/** Files no cloud ever receives, even when a command may escalate. */
export const DEFAULT_NEVER_SEND: readonly string[] = [
  '**/.env*',
  '**/*.pem',
  '**/*.key',
  '**/*.p12',
  '**/*.pfx',
  '**/*.crt',
  '**/*.cer',
  '**/*.der',
  '**/*.jks',
  '**/*.keystore',
  '**/id_rsa*',
  '**/id_ed25519*',
  '**/id_ecdsa*',
  '**/id_dsa*',
  '**/*.kdbx',
  '**/secrets/**',
  '**/credentials',
  '**/credentials.*',
  '**/.aws/credentials',
  '**/.git-credentials',
  '**/.netrc',
  '**/.npmrc',
  '**/.pypirc',
  '**/*.tfvars',
];

export const DEFAULT_MAX_BYTES_PER_REQUEST = 200_000;

/** Where a policy value came from, for the shield's tooltip and error messages. */
export type PolicySourceKind = 'default' | 'machine' | 'user' | 'workspaceSettings' | 'policyFile' | 'trust';

export interface PolicySource {
  readonly kind: Exclude<PolicySourceKind, 'default' | 'trust'>;
  /** Shown to the user: "User settings", ".hearth/policy.json", "/etc/hearth/policy.json". */
  readonly label: string;
  readonly policy: PartialPolicy;
}

/** A glob and the source that set it, so a refusal can say why. */
export interface SourcedGlob {
  readonly glob: string;
  readonly source: string;
}

/** The policy that applies, after merging every source. */
export interface EffectivePolicy {
  readonly mode: PrivacyMode;
  /** Which source set the mode ("default" when none did). */
  readonly modeSource: string;
  readonly excludeFromAI: readonly SourcedGlob[];
  readonly neverSend: readonly SourcedGlob[];
  readonly redactSecrets: boolean;
  readonly endpoints: readonly Endpoint[];
  readonly internalServesSimple: boolean;
  readonly maxBytesPerRequest: number;
  readonly offline: boolean;
  /** Whether the workspace is trusted (Workspace Trust); untrusted means local and no workspace file or endpoint choices. */
  readonly trusted: boolean;
  /** What the merge ignored and why (a workspace naming an endpoint that does not exist…), for the log. */
  readonly warnings: readonly string[];
}

/** The policy when nothing is configured: local, the default globs, redaction on. */
export const DEFAULT_POLICY: EffectivePolicy = {
  mode: 'local',
  modeSource: 'default',
  excludeFromAI: DEFAULT_EXCLUDE_FROM_AI.map((glob) => ({ glob, source: 'default' })),
  neverSend: DEFAULT_NEVER_SEND.map((glob) => ({ glob, source: 'default' })),
  redactSecrets: true,
  endpoints: [],
  internalServesSimple: false,
  maxBytesPerRequest: DEFAULT_MAX_BYTES_PER_REQUEST,
  offline: false,
  trusted: true,
  warnings: [],
};
