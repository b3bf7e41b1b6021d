/**
 * The `authenticatingProxy` config key: front proxies that authenticate
 * people their own way and pass the identity to the API server in request
 * headers. Read and checked with the rest of the config.
 *
 * Source: Kubernetes "Authenticating", Authenticating proxy, and the
 * kube-apiserver `--requestheader-*` flags.
 */
import { AuthenticatingProxySpec, ClusterSpec, ProxySpec } from "../model/types";
import { IssueCollector, Raw, isPlainObject } from "../intake/reader";
import { distinctEntries } from "../intake/rules";
import { authenticatingProxySchema, fieldsOf, proxySchema } from "../intake/schema";
import { fieldsThatPass, readSection } from "../intake/section";
import { normaliseCertificatePem, parsePrivateKeyPem, privateKeyMatchesCertificate } from "../x509/pem";
import { caCertificateProblem } from "../x509/caCertificate";
import { x509AttributeProblem } from "../intake/limits";

/** Fields of `authenticatingProxy`, as the schema declares them. */
export const authenticatingProxyFields = fieldsOf(authenticatingProxySchema);

/** A proxy's defaults (schema): an ECDSA P-256 key, a certificate valid for a year. */
const proxyDefaults = {
    keyAlgorithm: proxySchema.shape.keyAlgorithm.parse(undefined),
    validityHours: proxySchema.shape.validityHours.parse(undefined),
};

/** The secret config key holding the private key of a supplied request-header CA. */
export const proxyCaKeyConfigKey = "authenticatingProxyCaKey";

/** Defaults: the header names of the Kubernetes docs and kubeadm, and kubeadm's front-proxy CA path. */
export const defaultRequestHeaders = {
    caFile: authenticatingProxySchema.shape.caFile.parse(undefined),
    usernameHeaders: ["X-Remote-User"],
    groupHeaders: ["X-Remote-Group"],
    extraHeadersPrefixes: ["X-Remote-Extra-"],
};

/** RFC 9110 section 5.1: a field name is a token (tchar). */
const headerToken = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** A list of header names (its shape checked by the schema): each an HTTP token, none twice, at least one. */
function readHeaders(c: IssueCollector, path: string, value: Raw, fallback: string[]): string[] {
    if (value === undefined || value === null) return fallback;
    const list = distinctEntries(c, path, value);
    list.forEach((h, i) => {
        if (!headerToken.test(h))
            c.add(
                `${path}[${i}]`,
                `${JSON.stringify(h)} is not an HTTP header name (RFC 9110 token: letters, digits and !#$%&'*+-.^_\`|~)`,
            );
    });
    if (Array.isArray(value) && value.length === 0)
        c.add(path, "must name at least one header; leave it out for the default");
    return list;
}

/** What proxy validation needs besides its own key. */
export interface ProxyIntake {
    cluster: ClusterSpec | undefined;
    /** The supplied CA's private key (secret config), when given. */
    caKey: Raw;
    /** Secret values are not given (the access report): the key is neither required nor checked. */
    secretValuesWithheld: boolean;
}

/**
 * Reads and checks `authenticatingProxy`. Every proxy needs a name (the CN
 * of its certificate, listed in `--requestheader-allowed-names`: without
 * allowed names the API server would trust any certificate the CA signs). A
 * supplied CA must be a CA, come with its key, and not be the cluster CA
 * unless `allowClusterCa`: any certificate the cluster signs for the proxy's
 * name, through the CSR API too, could then claim any identity.
 */
export function readAuthenticatingProxy(
    c: IssueCollector,
    value: Raw,
    intake: ProxyIntake,
): AuthenticatingProxySpec | undefined {
    if (value === undefined || value === null) {
        if (intake.caKey !== undefined)
            c.add(proxyCaKeyConfigKey, "is set but there is no authenticatingProxy; remove it");
        return undefined;
    }
    const o = readSection(c, "authenticatingProxy", value, authenticatingProxySchema);
    if (!o) return undefined;
    const given = value as Record<string, Raw>;
    const path = (f: string) => `authenticatingProxy.${f}`;
    const caText = o.caCertificate;
    let caCertificatePem: string | undefined;
    if (caText !== undefined) {
        try {
            caCertificatePem = normaliseCertificatePem(caText);
            const problem = caCertificateProblem(caCertificatePem);
            if (problem) c.add(path("caCertificate"), problem);
        } catch (e) {
            c.add(path("caCertificate"), (e as Error).message);
        }
    }
    const allowClusterCa = o.allowClusterCa ?? false;
    if (caCertificatePem && intake.cluster && !allowClusterCa) {
        const same = normaliseCertificatePem(intake.cluster.caCertificatePem) === caCertificatePem;
        if (same)
            c.add(
                path("caCertificate"),
                "is the cluster CA: every client certificate the cluster signs for a proxy's name (through the CSR API too) " +
                    "could then claim any user and group; leave caCertificate out so kube-access creates a request-header CA, " +
                    "or set allowClusterCa: true if you really mean it",
            );
    }
    if (caCertificatePem && !intake.secretValuesWithheld) {
        if (intake.caKey === undefined) {
            c.add(
                proxyCaKeyConfigKey,
                `is required with authenticatingProxy.caCertificate, to sign the proxies' certificates; set it with \`pulumi config set --secret kube-access:${proxyCaKeyConfigKey} < ca.key\``,
            );
        } else if (typeof intake.caKey !== "string") {
            c.add(proxyCaKeyConfigKey, "must be a PEM private key");
        } else {
            try {
                if (!privateKeyMatchesCertificate(parsePrivateKeyPem(intake.caKey), caCertificatePem))
                    c.add(proxyCaKeyConfigKey, "does not belong to authenticatingProxy.caCertificate");
            } catch (e) {
                c.add(proxyCaKeyConfigKey, (e as Error).message);
            }
        }
    } else if (!caCertificatePem && caText === undefined && intake.caKey !== undefined) {
        c.add(proxyCaKeyConfigKey, "is set but authenticatingProxy.caCertificate is not; set both, or neither");
    }
    const caFile = o.caFile ?? defaultRequestHeaders.caFile;
    if (!caFile.startsWith("/"))
        c.add(path("caFile"), `must be an absolute path on the API server host, got ${JSON.stringify(caFile)}`);
    const caValidityHours = o.caValidityHours ?? authenticatingProxySchema.shape.caValidityHours.parse(undefined);
    const usernameHeaders = readHeaders(
        c,
        path("usernameHeaders"),
        given.usernameHeaders,
        defaultRequestHeaders.usernameHeaders,
    );
    const groupHeaders = readHeaders(c, path("groupHeaders"), given.groupHeaders, defaultRequestHeaders.groupHeaders);
    const extraHeadersPrefixes = readHeaders(
        c,
        path("extraHeadersPrefixes"),
        given.extraHeadersPrefixes,
        defaultRequestHeaders.extraHeadersPrefixes,
    );
    const proxies: ProxySpec[] = [];
    const rawProxies = Array.isArray(given.proxies) ? given.proxies : [];
    if (Array.isArray(given.proxies) && rawProxies.length === 0)
        c.add(path("proxies"), "must declare at least one proxy");
    rawProxies.forEach((item, i) => {
        const at = `${path("proxies")}[${i}]`;
        if (!isPlainObject(item)) return;
        const { name, keyAlgorithm, validityHours } = { ...proxyDefaults, ...fieldsThatPass(proxySchema, item) };
        if (name === undefined) return;
        const problem =
            x509AttributeProblem(name, "CN") ??
            (/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name)
                ? undefined
                : `must be lower case letters, digits, '-' and '.' (it is the certificate's CN and an entry of the comma-separated --requestheader-allowed-names), got ${JSON.stringify(name)}`);
        if (problem) c.add(`${at}.name`, problem);
        const earlier = proxies.findIndex((x) => x.name === name);
        if (earlier >= 0)
            c.add(`${at}.name`, `duplicate proxy name ${JSON.stringify(name)} (also proxies[${earlier}])`);
        proxies.push({ name, keyAlgorithm, validityHours });
    });
    return {
        ...(caCertificatePem ? { caCertificatePem } : {}),
        caFile,
        usernameHeaders,
        groupHeaders,
        extraHeadersPrefixes,
        caValidityHours,
        proxies,
    };
}
