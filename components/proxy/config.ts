/**
 * The `authenticatingProxy` config key: front proxies that authenticate
 * people their own way and pass the identity to the API server in request
 * headers. Read and checked with the rest of the config.
 *
 * Source: Kubernetes "Authenticating", Authenticating proxy, and the
 * kube-apiserver `--requestheader-*` flags.
 */
import { AuthenticatingProxySpec, ClusterSpec, KeyAlgorithm, ProxySpec, keyAlgorithms } from "../model/types";
import { IssueCollector, Raw } from "../intake/reader";
import { normaliseCertificatePem, parsePrivateKeyPem, privateKeyMatchesCertificate } from "../x509/pem";
import { caCertificateProblem } from "../x509/caCertificate";
import { x509AttributeProblem } from "../intake/limits";

/** Fields of `authenticatingProxy`. */
export const authenticatingProxyFields = [
    "caCertificate",
    "caFile",
    "caValidityHours",
    "usernameHeaders",
    "groupHeaders",
    "extraHeadersPrefixes",
    "allowClusterCa",
    "proxies",
] as const;

/** The secret config key holding the private key of a supplied request-header CA. */
export const proxyCaKeyConfigKey = "authenticatingProxyCaKey";

/** Defaults: the header names of the Kubernetes docs and kubeadm, and kubeadm's front-proxy CA path. */
export const defaultRequestHeaders = {
    caFile: "/etc/kubernetes/pki/front-proxy-ca.crt",
    usernameHeaders: ["X-Remote-User"],
    groupHeaders: ["X-Remote-Group"],
    extraHeadersPrefixes: ["X-Remote-Extra-"],
};

/** RFC 9110 section 5.1: a field name is a token (tchar). */
const headerToken = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function readHeaders(c: IssueCollector, path: string, value: Raw, fallback: string[]): string[] {
    if (value === undefined || value === null) return fallback;
    const list = c.stringList(path, value);
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
    const o = c.object("authenticatingProxy", value, authenticatingProxyFields);
    if (!o) return undefined;
    const path = (f: string) => `authenticatingProxy.${f}`;
    const caText = c.string(path("caCertificate"), o.caCertificate);
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
    const allowClusterCa = c.boolean(path("allowClusterCa"), o.allowClusterCa, false);
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
    const caFile = c.string(path("caFile"), o.caFile, { fallback: defaultRequestHeaders.caFile })!;
    if (!caFile.startsWith("/"))
        c.add(path("caFile"), `must be an absolute path on the API server host, got ${JSON.stringify(caFile)}`);
    const caValidityHours = c.integer(path("caValidityHours"), o.caValidityHours, 87600, 24, 10 * 87600);
    const usernameHeaders = readHeaders(
        c,
        path("usernameHeaders"),
        o.usernameHeaders,
        defaultRequestHeaders.usernameHeaders,
    );
    const groupHeaders = readHeaders(c, path("groupHeaders"), o.groupHeaders, defaultRequestHeaders.groupHeaders);
    const extraHeadersPrefixes = readHeaders(
        c,
        path("extraHeadersPrefixes"),
        o.extraHeadersPrefixes,
        defaultRequestHeaders.extraHeadersPrefixes,
    );
    const proxies: ProxySpec[] = [];
    const rawProxies = c.list(path("proxies"), o.proxies, { required: true });
    if (Array.isArray(o.proxies) && rawProxies.length === 0) c.add(path("proxies"), "must declare at least one proxy");
    rawProxies.forEach((item, i) => {
        const at = `${path("proxies")}[${i}]`;
        const p = c.object(at, item, ["name", "keyAlgorithm", "validityHours"]);
        if (!p) return;
        const name = c.string(`${at}.name`, p.name, { required: true });
        const keyAlgorithm = c.oneOf<KeyAlgorithm>(`${at}.keyAlgorithm`, p.keyAlgorithm, keyAlgorithms, "ECDSA-P256");
        const validityHours = c.integer(`${at}.validityHours`, p.validityHours, 8760, 1, 87600);
        if (name === undefined || name.trim() === "") return;
        const problem =
            x509AttributeProblem(name, "CN") ??
            (/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name)
                ? undefined
                : `must be lower case letters, digits, '-' and '.' (it is the certificate's CN and an entry of the comma-separated --requestheader-allowed-names), got ${JSON.stringify(name)}`);
        if (problem) c.add(`${at}.name`, problem);
        const earlier = proxies.findIndex((x) => x.name === name);
        if (earlier >= 0)
            c.add(`${at}.name`, `duplicate proxy name ${JSON.stringify(name)} (also proxies[${earlier}])`);
        if (keyAlgorithm) proxies.push({ name, keyAlgorithm, validityHours });
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
