import * as crypto from "crypto";
import * as pulumi from "@pulumi/pulumi";
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import type { RawConfig } from "../../components/access/validate";

/** A resource the mocks were asked to create. */
export interface RecordedResource {
    type: string;
    name: string;
    inputs: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** Expiry the mocked signers report. */
export const mockedExpiry = "2030-01-01T00:00:00Z";

/**
 * A new private key as the tls provider's `PrivateKey` makes one for these
 * inputs (`algorithm` RSA, ECDSA or ED25519, with `rsaBits` or `ecdsaCurve`),
 * in the provider's PEM form: PKCS#1 for RSA, SEC 1 for ECDSA, PKCS#8 for Ed25519.
 */
export function tlsPrivateKeyPem(inputs: { algorithm?: string; rsaBits?: number; ecdsaCurve?: string }): string {
    const curves: Record<string, string> = { P256: "P-256", P384: "P-384", P521: "P-521" };
    const { privateKey } =
        inputs.algorithm === "RSA"
            ? crypto.generateKeyPairSync("rsa", { modulusLength: inputs.rsaBits! })
            : inputs.algorithm === "ED25519"
              ? crypto.generateKeyPairSync("ed25519")
              : crypto.generateKeyPairSync("ec", { namedCurve: curves[inputs.ecdsaCurve!] });
    const type = { RSA: "pkcs1", ECDSA: "sec1", ED25519: "pkcs8" }[inputs.algorithm ?? ""];
    return privateKey.export({ type: type as "pkcs1", format: "pem" }).toString();
}

/**
 * Pulumi mocks that record every resource and answer like the real providers
 * would, closely enough for the program's own logic: tls keys are real keys
 * (so CSRs can be built and checked), signers return a fixed certificate.
 * Calls to any function are refused, so no test passes by accident.
 */
export function recordingMocks(certificatePem: string): { mocks: pulumi.runtime.Mocks; resources: RecordedResource[] } {
    const resources: RecordedResource[] = [];
    const mocks: pulumi.runtime.Mocks = {
        newResource(args) {
            resources.push({ type: args.type, name: args.name, inputs: args.inputs });
            const state: Record<string, unknown> = { ...args.inputs };
            switch (args.type) {
                case "tls:index/privateKey:PrivateKey":
                    state.privateKeyPem = tlsPrivateKeyPem(args.inputs);
                    break;
                case "tls:index/locallySignedCert:LocallySignedCert":
                    state.certPem = certificatePem;
                    state.validityEndTime = mockedExpiry;
                    break;
                case "tls:index/selfSignedCert:SelfSignedCert":
                    state.certPem = `self-signed:${args.inputs.subject.commonName}`;
                    break;
                case "pulumi-nodejs:dynamic/certificates:ClusterSignedCertificate":
                    state.certificatePem = certificatePem;
                    state.notAfter = mockedExpiry;
                    break;
                case "pulumi-nodejs:dynamic/serviceAccounts:ServiceAccountToken":
                    state.token = `token-of-${args.inputs.secretName}`;
                    break;
                case "keycloak:openid/client:Client":
                    state.clientSecret = "mock-client-secret";
                    break;
                case "kubernetes:core/v1:Secret":
                    state.metadata = { ...args.inputs.metadata, uid: `uid-${args.name}` };
                    break;
            }
            return { id: `${args.name}-id`, state };
        },
        call(args) {
            throw new Error(`unexpected function call ${args.token}`);
        },
    };
    return { mocks, resources };
}

/** Resolves an Output for assertions (undefined while unknown). */
export function promiseOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply(resolve));
}

/** Whether an Output is marked secret. */
export function isSecret<T>(output: pulumi.Output<T>): Promise<boolean> {
    return pulumi.isSecret(output);
}

/** How a secret input reaches the mocks: wrapped with Pulumi's secret signature. */
export function secretInput<T>(value: T): Record<string, unknown> {
    return { [specialSigKey]: specialSecretSig, value };
}

/** What {@link mockedKubeAccess} built and what the mocks recorded. */
export interface MockedKubeAccess {
    access: import("../../components").KubeAccess;
    resources: RecordedResource[];
    /** The CA the mocked signers answer with; its key is the stack's `clusterCaKey`. */
    ca: { certificatePem: string; privateKeyPem: string };
}

/**
 * Builds `KubeAccess` from the example config (test/helpers/config.ts), after
 * `adjust` changes it, under recording mocks, the way the program does, and
 * waits for every kubeconfig. The components are imported only after the
 * mocks are set, and after `onMocksSet` has run (to watch the mock monitor, say).
 */
export async function mockedKubeAccess(
    adjust: (config: RawConfig) => void = () => undefined,
    onMocksSet: () => void = () => undefined,
): Promise<MockedKubeAccess> {
    const { testCa } = await import("./fixtures");
    const { secretKeys, validConfig } = await import("./config");
    const ca = testCa();
    const { mocks, resources } = recordingMocks(ca.certificatePem);
    await pulumi.runtime.setMocks(mocks, "kube-access", "test", false);
    onMocksSet();
    const components = await import("../../components");
    const config = validConfig();
    adjust(config);
    const access = new components.KubeAccess("kube-access", {
        spec: components.validateAccessSpec(config, { secretKeys }),
        secrets: {
            clusterCaKey: pulumi.secret(ca.privateKeyPem),
            clusterKubeconfig: pulumi.secret("apiVersion: v1\nkind: Config\n"),
            oidcInitialPasswords: { "da-admin": pulumi.secret("initial-password") },
        },
    });
    await promiseOf(access.kubeconfigs);
    return { access, resources, ca };
}
