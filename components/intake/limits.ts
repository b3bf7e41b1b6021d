/**
 * The limits of every place a config value ends up (certificate subjects,
 * Kubernetes object names and label values, Keycloak users and groups),
 * checked at validation so that nothing fails half-way through `pulumi up`.
 *
 * Each check returns a message for users, or undefined when the value fits.
 * Length is checked before characters, so a value that is too long is blamed
 * on its length. Lengths count characters (Unicode code points), as X.509
 * and Keycloak do; Kubernetes names are ASCII, where the two agree.
 */

/** RFC 5280 Appendix A, `ub-common-name`: the longest CN (the user name of a certificate user). */
export const x509CommonNameMax = 64;
/** RFC 5280 Appendix A, `ub-organization-name`: the longest O (a group of a certificate user). */
export const x509OrganizationMax = 64;

/** Kubernetes DNS-1123 label (namespaces): https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#dns-label-names */
export const dnsLabelMax = 63;
/** Kubernetes DNS-1123 subdomain (ServiceAccount and Secret names): same page, #dns-subdomain-names */
export const dnsSubdomainMax = 253;
/** Kubernetes label values: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#syntax-and-character-set */
export const labelValueMax = 63;

/**
 * Keycloak's default user profile (Keycloak 24 and later; the `username`,
 * `email`, `firstName` and `lastName` attributes of every new realm): a
 * username is 3 to 255 characters, email, first and last name at most 255.
 * Source: the default user-profile configuration (`kc.user.profile.config`,
 * validators `length`, `username-prohibited-characters`,
 * `person-name-prohibited-characters`, `email`) and those validators'
 * patterns in Keycloak's `org.keycloak.userprofile.validator` package and
 * `EmailValidationUtil`. A realm whose administrator changed the profile may
 * accept more; kube-access checks the defaults.
 */
export const keycloakUsernameMin = 3;
export const keycloakUsernameMax = 255;
export const keycloakPersonNameMax = 255;
export const keycloakEmailMax = 255;
/** Keycloak's `email` validator: the part before `@` (RFC 5321 section 4.5.3.1.1, local-part). */
export const keycloakEmailLocalPartMax = 64;
/** Keycloak stores a group name in a 255-character column (`KEYCLOAK_GROUP.NAME`, `varchar(255)`). */
export const keycloakGroupNameMax = 255;

/** Characters Keycloak's `username-prohibited-characters` validator refuses (besides whitespace and control characters). */
export const keycloakUsernameProhibited = `<>&"'$%!#?§,;:*~/\\|^=[]{}()\``;
/** Characters Keycloak's `person-name-prohibited-characters` validator refuses (besides control characters). */
export const keycloakPersonNameProhibited = `<>&"$%!#?§;*~/\\|^=[]{}()`;

/** Number of characters (code points) of a string. */
export function characterCount(value: string): number {
    return [...value].length;
}

const dnsLabelPattern = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dnsSubdomainPattern = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const labelValuePattern = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
// eslint-disable-next-line no-control-regex
const controlCharacters = /[\u0000-\u001f\u007f-\u009f]/;

/** "is 300 characters; X.509 limits a common name to 64 (RFC 5280 ub-common-name); shorten it" */
function tooLong(value: string, max: number, limit: string, source?: string): string | undefined {
    const n = characterCount(value);
    return n > max ? `is ${n} characters; ${limit} to ${max}${source ? ` (${source})` : ""}; shorten it` : undefined;
}

/**
 * A DNS-1123 label, as namespaces need: at most 63 characters, lower case
 * letters, digits and '-', starting and ending with a letter or digit.
 * `what` names the object, e.g. "a namespace name".
 */
export function dnsLabelProblem(name: string, what: string): string | undefined {
    return (
        tooLong(name, dnsLabelMax, `Kubernetes limits ${what}`, "DNS-1123 label") ??
        (dnsLabelPattern.test(name)
            ? undefined
            : `must be a valid namespace name (DNS-1123 label): lower case letters, digits and '-', ` +
              `starting and ending with a letter or digit, got ${JSON.stringify(name)}`)
    );
}

/**
 * A DNS-1123 subdomain, as ServiceAccount and Secret names need: at most
 * 253 characters, lower case letters, digits, '-' and '.', each dot-separated
 * part starting and ending with a letter or digit. `role` says where the
 * name ends up ("it becomes the ServiceAccount name"); `max` and `why` lower
 * the limit when kube-access derives a longer name from it.
 */
export function dnsSubdomainProblem(
    name: string,
    role: string,
    max: number = dnsSubdomainMax,
    why = `${role}, and Kubernetes limits it`,
): string | undefined {
    return (
        tooLong(name, max, why, "DNS-1123 subdomain") ??
        (dnsSubdomainPattern.test(name)
            ? undefined
            : `must be a DNS-1123 subdomain (${role}): lower case letters, digits, '-' and '.', ` +
              `each part starting and ending with a letter or digit, got ${JSON.stringify(name)}`)
    );
}

/** A Kubernetes label value: at most 63 characters, letters, digits, '-', '_' and '.', alphanumeric at both ends. */
export function labelValueProblem(value: string, what: string): string | undefined {
    return (
        tooLong(value, labelValueMax, `${what} becomes a label value, and Kubernetes limits label values`) ??
        (labelValuePattern.test(value)
            ? undefined
            : `${what} becomes a label value: letters, digits, '-', '_' and '.', starting and ending ` +
              `with a letter or digit, got ${JSON.stringify(value)}`)
    );
}

/**
 * An RBAC object name (Role, ClusterRole, RoleBinding, ClusterRoleBinding):
 * the API server takes any path segment name, that is anything but `.` and
 * `..` without `/` and `%` (k8s.io/apimachinery/pkg/api/validation/path).
 */
export function rbacNameProblem(name: string): string | undefined {
    if (name === "") return "must not be empty";
    if (name === "." || name === "..")
        return `must not be ${JSON.stringify(name)} (Kubernetes refuses it as an object name)`;
    const bad = [...new Set(name.match(/[/%]/g) ?? [])];
    return bad.length > 0
        ? `contains ${bad.map((c) => `'${c}'`).join(" and ")}, which Kubernetes refuses in RBAC object names`
        : undefined;
}

/** An X.509 subject attribute of a client certificate: the user name (CN) or a group (O). */
export function x509AttributeProblem(value: string, attribute: "CN" | "O"): string | undefined {
    return attribute === "CN"
        ? tooLong(
              value,
              x509CommonNameMax,
              "it is the certificate's common name (CN), and X.509 limits a common name",
              "RFC 5280 ub-common-name",
          )
        : tooLong(
              value,
              x509OrganizationMax,
              "it is an organization (O) of the certificate, and X.509 limits an organization name",
              "RFC 5280 ub-organization-name",
          );
}

function prohibited(value: string, set: string): string[] {
    return [...new Set([...value].filter((ch) => set.includes(ch)))];
}

function listCharacters(chars: string[]): string {
    return chars.map((c) => `'${c}'`).join(", ");
}

/** A Keycloak username under the default user profile (see {@link keycloakUsernameMin}). */
export function keycloakUsernameProblem(name: string): string | undefined {
    const n = characterCount(name);
    if (n < keycloakUsernameMin)
        return `is ${n} character${n === 1 ? "" : "s"}; Keycloak needs a username of at least ${keycloakUsernameMin}`;
    const long = tooLong(name, keycloakUsernameMax, "it is the Keycloak username, and Keycloak limits usernames");
    if (long) return long;
    if (/\s/.test(name) || controlCharacters.test(name))
        return "must not contain whitespace or control characters: Keycloak refuses them in usernames";
    const bad = prohibited(name, keycloakUsernameProhibited);
    return bad.length > 0
        ? `contains ${listCharacters(bad)}, which Keycloak refuses in usernames (username-prohibited-characters)`
        : undefined;
}

/** A first or last name under Keycloak's default user profile. */
export function keycloakPersonNameProblem(name: string): string | undefined {
    const long = tooLong(name, keycloakPersonNameMax, "Keycloak limits a first or last name");
    if (long) return long;
    if (controlCharacters.test(name) || /[\n\r\v\f]/.test(name))
        return "must not contain line breaks or control characters: Keycloak refuses them in names";
    const bad = prohibited(name, keycloakPersonNameProhibited);
    return bad.length > 0
        ? `contains ${listCharacters(bad)}, which Keycloak refuses in names (person-name-prohibited-characters)`
        : undefined;
}

/** An email address as Keycloak's `email` validator takes it. */
export function keycloakEmailProblem(email: string): string | undefined {
    const long = tooLong(email, keycloakEmailMax, "Keycloak limits an email address");
    if (long) return long;
    const at = email.lastIndexOf("@");
    if (!/^[^@\s]+@[^@\s]+$/.test(email) || email.endsWith("."))
        return `must be an email address (name@domain), got ${JSON.stringify(email)}`;
    const local = characterCount(email.slice(0, at));
    return local > keycloakEmailLocalPartMax
        ? `has ${local} characters before '@'; Keycloak limits that part to ${keycloakEmailLocalPartMax} (RFC 5321 local-part)`
        : undefined;
}

/** A Keycloak group name (a group of an OIDC user). */
export function keycloakGroupNameProblem(name: string): string | undefined {
    return tooLong(name, keycloakGroupNameMax, "it becomes a Keycloak group, and Keycloak limits group names");
}

/**
 * Names of users and groups are identities: Kubernetes takes any string, but
 * kube-access refuses what cannot be told apart or read back: leading or
 * trailing whitespace (almost always a typing slip) and control characters.
 */
export function identityTextProblem(name: string): string | undefined {
    if (controlCharacters.test(name))
        return "must not contain control characters (line breaks, tabs): they cannot be seen in kubectl output or previews";
    if (name.trim() !== name)
        return `must not start or end with whitespace; did you mean ${JSON.stringify(name.trim())}?`;
    return undefined;
}
