import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { AuthenticatingProxySpec } from "../model/types";
import { privateKeyArgs, tlsAllowedUses } from "../x509/privateKeys";
import { buildCsrPem } from "../x509/csr";
import { headersToStrip, requestHeaderFlags } from "./apiServer";

/** Inputs of {@link AuthenticatingProxy}. */
export interface AuthenticatingProxyArgs {
    spec: AuthenticatingProxySpec;
    /** The private key of a supplied request-header CA (secret); required with `spec.caCertificatePem`. */
    caKey?: pulumi.Input<string>;
}

/** One proxy's client certificate and key, PEM. */
export interface ProxyCredential {
    certificate: string;
    privateKey: string;
}

/** Common name of a request-header CA kube-access creates. */
export const requestHeaderCaCommonName = "kube-access-request-header-ca";

/**
 * The request-header CA (created with tls.SelfSignedCert unless config
 * supplies one; never the cluster CA by default) and a client certificate
 * per proxy, signed by it with CN = the proxy's name.
 */
export class AuthenticatingProxy extends pulumi.ComponentResource {
    /** The request-header CA certificate, PEM: put it at `caFile` on the API server host. */
    public readonly caCertificate: pulumi.Output<string>;
    /** kube-apiserver flags that trust the proxies. */
    public readonly apiServerFlags: string[];
    /** Headers each proxy must strip from incoming requests. */
    public readonly stripHeaders: string[];
    /** Each proxy's certificate and key by name (secret). */
    public readonly credentials: pulumi.Output<Record<string, ProxyCredential>>;

    constructor(name: string, args: AuthenticatingProxyArgs, opts?: pulumi.ComponentResourceOptions) {
        super("kube-access:proxy:AuthenticatingProxy", name, {}, opts);
        const { spec } = args;
        let caCertPem: pulumi.Output<string>;
        let caPrivateKeyPem: pulumi.Output<string>;
        if (spec.caCertificatePem) {
            if (args.caKey === undefined) throw new Error("a supplied request-header CA needs its private key");
            caCertPem = pulumi.output(spec.caCertificatePem);
            caPrivateKeyPem = pulumi.secret(args.caKey);
        } else {
            const caKey = new tls.PrivateKey(`${name}-ca-key`, privateKeyArgs("ECDSA-P256"), { parent: this });
            const ca = new tls.SelfSignedCert(
                `${name}-ca`,
                {
                    privateKeyPem: caKey.privateKeyPem,
                    subject: { commonName: requestHeaderCaCommonName, organization: "kube-access" },
                    isCaCertificate: true,
                    validityPeriodHours: spec.caValidityHours,
                    allowedUses: ["cert_signing", "crl_signing", "digital_signature"],
                },
                { parent: this },
            );
            caCertPem = ca.certPem;
            caPrivateKeyPem = pulumi.secret(caKey.privateKeyPem);
        }
        const credentials: Record<string, pulumi.Output<ProxyCredential>> = {};
        for (const proxy of spec.proxies) {
            const key = new tls.PrivateKey(`${name}-${proxy.name}-key`, privateKeyArgs(proxy.keyAlgorithm), {
                parent: this,
            });
            const requestPem = pulumi.unsecret(
                key.privateKeyPem.apply((pem) => buildCsrPem(pem, { commonName: proxy.name, organizations: [] })),
            );
            const certificate = new tls.LocallySignedCert(
                `${name}-${proxy.name}-certificate`,
                {
                    certRequestPem: requestPem,
                    caCertPem,
                    caPrivateKeyPem,
                    validityPeriodHours: proxy.validityHours,
                    allowedUses: tlsAllowedUses(proxy.keyAlgorithm),
                },
                { parent: this },
            );
            credentials[proxy.name] = pulumi
                .all([certificate.certPem, key.privateKeyPem])
                .apply(([certificate, privateKey]) => ({ certificate, privateKey }));
        }
        this.caCertificate = caCertPem;
        this.apiServerFlags = requestHeaderFlags(spec);
        this.stripHeaders = headersToStrip(spec);
        this.credentials = pulumi.secret(pulumi.all(credentials));
        this.registerOutputs({
            caCertificate: this.caCertificate,
            apiServerFlags: this.apiServerFlags,
            stripHeaders: this.stripHeaders,
            credentials: this.credentials,
        });
    }
}
