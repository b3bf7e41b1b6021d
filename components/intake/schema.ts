/**
 * The shape of the `kube-access` config, declared once with zod: every key,
 * field, type, enum and whole-number range. From it come the TypeScript
 * types of the raw config ({@link KubeAccessConfig}), the known-key and
 * field lists that unknown-key messages name ({@link configKeys},
 * {@link fieldsOf}), and the shape errors of flat sections
 * ({@link readSection}, in ./section). Rules across fields and entries are
 * not shape: they stay pure functions in each method's config.ts.
 *
 * Lenient as the stack config is: Pulumi hands over `pulumi config set`
 * values as text, so `"true"`/`"false"` count as booleans and digit strings
 * as whole numbers.
 */
import { z } from "zod";

/** Key algorithms a user's private key can use. */
export const keyAlgorithms = [
    "RSA-2048",
    "RSA-3072",
    "RSA-4096",
    "ECDSA-P256",
    "ECDSA-P384",
    "ECDSA-P521",
    "ED25519",
] as const;

/** Who signs a user's client certificate. */
export const certificateSigners = ["external", "cluster"] as const;

/** Auth methods a user can have. */
export const authMethods = ["certificate", "serviceAccount", "oidc"] as const;

/** A user's `auth.method`. */
export const authMethodSchema = z.enum(authMethods);

/** `exec` (kubelogin) or `auth-provider` (kubectl's built-in oidc provider); see model/types. */
export const oidcKubeconfigStyles = ["exec", "auth-provider"] as const;

/** OAuth client types (RFC 6749 section 2.1). */
export const oidcClientTypes = ["public", "confidential"] as const;

/** kubelogin's `--grant-type` values. */
export const kubeloginGrantTypes = ["authcode", "device-code", "password"] as const;

/** What a whole-number field accepts, inclusive. */
export interface WholeNumberRange {
    min: number;
    max: number;
}

/** A boolean; the text `"true"` or `"false"` (as `pulumi config set` stores it) too. */
export const flag = z.preprocess((v) => (v === "true" ? true : v === "false" ? false : v), z.boolean());

/**
 * A whole number from `min` to `max`; a string of digits too. `hint` (how to
 * fix a wrong value) ends each message about the field.
 */
export function wholeNumber(min: number, max: number, hint?: string) {
    const range: WholeNumberRange = { min, max };
    return z
        .preprocess((v) => (typeof v === "string" && /^-?\d+$/.test(v) ? Number(v) : v), z.number().int())
        .refine((n) => n >= min && n <= max, { params: { range } })
        .meta({ range, ...(hint ? { hint } : {}) });
}

/** A rotation counter: raising it replaces that credential at the next `pulumi up`. */
const rotationCounter = wholeNumber(
    0,
    1_000_000,
    "set a whole number and raise it by one to replace this user's credential at the next `pulumi up`",
);

/** A service-account token's maximum age in hours (one hour to ten years). */
const tokenMaxAgeHours = wholeNumber(
    1,
    10 * 8760,
    "set the number of hours after which the next `pulumi up` replaces the token (e.g. 720 for 30 days)",
);

/** A string that is not empty or only whitespace. */
export const text = z.string().refine((s) => s.trim() !== "", { params: { empty: true } });

/** A value that must be stored with `pulumi config set --secret`: described by its shape only, never quoted. */
function secret<T extends z.ZodType>(schema: T): T {
    return schema.meta({ secret: true });
}

/** The longest certificate validity kube-access accepts: ten years, in hours. */
export const maxValidityHours = 10 * 8760;

export const certificateOptionsSchema = z.strictObject({
    keyAlgorithm: z.enum(keyAlgorithms).optional(),
    validityHours: wholeNumber(1, maxValidityHours).optional(),
    renewBeforeHours: wholeNumber(0, maxValidityHours).optional(),
});

export const clusterSigningSchema = z.strictObject({
    timeoutSeconds: wholeNumber(5, 3600).default(120),
    keepRequest: flag.default(false),
});

export const clusterSchema = z.strictObject({
    name: text,
    server: text,
    caCertificate: text,
});

export const certificateAuthSchema = z.strictObject({
    method: z.literal("certificate"),
    signer: z.enum(certificateSigners),
    ...certificateOptionsSchema.shape,
    certificateRequest: z.string().optional(),
    // A file holding the request: the access-file step (accessFiles.ts) reads it into certificateRequest
    // before validation; declared here so that messages list it among the known fields.
    certificateRequestFile: z.string().optional(),
    rotation: rotationCounter.optional(),
});

export const serviceAccountAuthSchema = z.strictObject({
    method: z.literal("serviceAccount"),
    namespace: z.string().default("default"),
    createNamespace: flag.default(false),
    rotation: rotationCounter.optional(),
    tokenMaxAgeHours: tokenMaxAgeHours.optional(),
});

/** Defaults for every service-account user's token. */
export const serviceAccountTokensSchema = z.strictObject({
    maxAgeHours: tokenMaxAgeHours.optional(),
});

/**
 * Keycloak's default user profile makes `email`, `firstName` and `lastName`
 * required for every user of a realm it creates (Keycloak 24 and later; see
 * limits.ts), so kube-access asks for all three.
 */
const keycloakProfileHint = (example: string) =>
    `Keycloak's default user profile needs an email, a first and a last name for every user, for example ${example}`;

export const oidcAuthSchema = z.strictObject({
    method: z.literal("oidc"),
    email: text.meta({ hint: keycloakProfileHint("email: alice@example.com") }),
    firstName: text.meta({ hint: keycloakProfileHint("firstName: Alice") }),
    lastName: text.meta({ hint: keycloakProfileHint("lastName: Liddell") }),
});

export const userSchema = z.strictObject({
    name: text,
    groups: z.array(text).optional(),
    auth: z.discriminatedUnion("method", [certificateAuthSchema, serviceAccountAuthSchema, oidcAuthSchema]),
});

export const subjectSchema = z.strictObject({
    user: text.optional(),
    group: text.optional(),
    external: flag.default(false),
});

export const bindingSchema = z.strictObject({
    name: text.optional(),
    clusterRole: z.string().optional(),
    role: z.string().optional(),
    namespaces: z.array(text).optional(),
    subjects: z.array(subjectSchema),
});

export const oidcSchema = z.strictObject({
    issuerUrl: text,
    realm: z.string().default("kubernetes"),
    createRealm: flag.default(true),
    clientId: z.string().default("kubernetes"),
    /** Not an enum here: an unsupported claim gets its own message (what Keycloak emits). */
    usernameClaim: z.string().default("preferred_username"),
    groupsClaim: z.string().default("groups"),
    usernamePrefix: z.string().default("oidc:"),
    groupsPrefix: z.string().default("oidc:"),
    caCertificate: z.string().optional(),
    apiServerCaFile: z.string().optional(),
    deviceAuthorizationGrant: flag.optional(),
    directAccessGrants: flag.optional(),
    redirectUris: z.array(text).optional(),
    extraScopes: z.array(text).optional(),
    kubeconfigStyle: z.enum(oidcKubeconfigStyles).default("exec"),
    temporaryPasswords: flag.default(true),
    tokenLifespanSeconds: wholeNumber(60, 86400).optional(),
    clientType: z.enum(oidcClientTypes).default("public"),
    kubeloginGrantType: z.enum(kubeloginGrantTypes).default("authcode"),
    clientSecretRotation: rotationCounter.optional(),
});

export const impersonationTargetSchema = z.strictObject({
    user: text.optional(),
    group: text.optional(),
    uid: text.optional(),
    external: flag.default(false),
});

export const impersonationSchema = z.strictObject({
    name: text,
    impersonators: z.array(subjectSchema),
    targets: z.array(impersonationTargetSchema),
    extras: z.record(z.string(), z.array(text)).optional(),
    allowSystemIdentities: flag.default(false),
});

export const proxySchema = z.strictObject({
    name: text,
    keyAlgorithm: z.enum(keyAlgorithms).default("ECDSA-P256"),
    validityHours: wholeNumber(1, maxValidityHours).default(8760),
});

export const authenticatingProxySchema = z.strictObject({
    caCertificate: z.string().optional(),
    caFile: z.string().default("/etc/kubernetes/pki/front-proxy-ca.crt"),
    caValidityHours: wholeNumber(24, 10 * 87600).default(87600),
    usernameHeaders: z.array(text).optional(),
    groupHeaders: z.array(text).optional(),
    extraHeadersPrefixes: z.array(text).optional(),
    allowClusterCa: flag.default(false),
    proxies: z.array(proxySchema),
});

/** The whole `kube-access` config namespace. */
export const kubeAccessConfigSchema = z.strictObject({
    cluster: clusterSchema,
    users: z.array(userSchema),
    groups: z.array(text).optional(),
    namespaces: z.array(text).optional(),
    bindings: z.array(bindingSchema).optional(),
    certificates: certificateOptionsSchema.optional(),
    clusterSigning: clusterSigningSchema.optional(),
    serviceAccountTokens: serviceAccountTokensSchema.optional(),
    oidc: oidcSchema.optional(),
    allowSystemMasters: flag.default(false),
    impersonation: z.array(impersonationSchema).optional(),
    authenticatingProxy: authenticatingProxySchema.optional(),
    /**
     * YAML files with more users, groups, namespaces and bindings; read and
     * merged by ./accessFiles before the rest is validated.
     */
    accessFiles: z.union([text, z.array(text)]).optional(),
    /** YAML or JSON text, or the same set as structured config. */
    clusterKubeconfig: secret(z.union([z.string(), z.record(z.string(), z.unknown())]).optional()),
    clusterCaKey: secret(z.string().optional()),
    oidcInitialPasswords: secret(z.record(z.string(), z.string().min(8)).optional()),
    authenticatingProxyCaKey: secret(z.string().optional()),
});

/** The `kube-access` config as written in the stack (before defaults). */
export type KubeAccessConfig = z.input<typeof kubeAccessConfigSchema>;
/** The `kube-access` config with the schema's defaults filled in. */
export type KubeAccessConfigWithDefaults = z.output<typeof kubeAccessConfigSchema>;

/** The field names of an object schema, in declaration order. */
export function fieldsOf<S extends z.ZodObject>(schema: S): (keyof S["shape"] & string)[] {
    return Object.keys(schema.shape) as (keyof S["shape"] & string)[];
}

/** Config keys of the `kube-access` namespace. */
export const configKeys = fieldsOf(kubeAccessConfigSchema);

/** Keys whose values must be stored with `pulumi config set --secret`. */
export const secretConfigKeys = configKeys.filter(
    (key) => (kubeAccessConfigSchema.shape[key].meta() as { secret?: boolean } | undefined)?.secret === true,
);

/** A field's schema without its optional or default wrapper. */
export function unwrap(schema: z.ZodType): z.ZodType {
    let inner = schema;
    while (inner instanceof z.ZodOptional || inner instanceof z.ZodDefault) inner = inner.def.innerType as z.ZodType;
    return inner;
}

/** The range of a whole-number field of the schema. */
export function rangeOf(schema: z.ZodType): WholeNumberRange {
    const range = (unwrap(schema).meta() as { range?: WholeNumberRange } | undefined)?.range;
    if (range === undefined) throw new Error("not a whole-number field of the config schema");
    return range;
}
