import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import * as settings from "@pulumi/pulumi/runtime/settings";
import {
    RecordedOptions,
    RegistrationRequest,
    recordRegistrations,
    recordedOptions,
} from "../scripts/bench/declarationOptions";
import { parse } from "yaml";
import {
    credentialSources,
    derivedRequestInputs,
    kubeconfigOutputs,
    readAccessFiles,
    requestDerivations,
    withoutPropertyDependencies,
} from "../scripts/bench/handWritten";
import { validateAccessSpec } from "../components/access/validate";
import { secretKeys, validConfig } from "./helpers/config";
import { buildCsrPem, parseCsrPem } from "../components/x509/csr";
import { mockedKubeAccess, promiseOf, recordingMocks } from "./helpers/mocks";
import { opensslCsr, testCa } from "./helpers/fixtures";

const privateKeyType = "tls:index/privateKey:PrivateKey";
const waitForRPCs = () => (settings as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();

/** An ECDSA P-256 key as the tls provider writes one. */
function ecKeyPem(): string {
    const { privateKey } = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
    return privateKey.export({ type: "sec1", format: "pem" }).toString();
}

describe("the hand-written raw program of the bench: requests made from their keys", () => {
    it("finds every request the program made from a key it made, and no user's own", async () => {
        let registrations: RegistrationRequest[] = [];
        const { resources } = await mockedKubeAccess(
            (config) => {
                // One more certificate user, with their own request: it stays as given.
                (config.users as unknown[]).push({
                    name: "own",
                    groups: ["group1"],
                    auth: {
                        method: "certificate",
                        signer: "cluster",
                        certificateRequest: opensslCsr("/CN=own/O=group1").csrPem,
                    },
                });
            },
            () => (registrations = recordRegistrations()),
        );
        await waitForRPCs();
        const declared = registrations.map((r, i) => ({ type: r.type, inputs: resources[i].inputs }));
        expect(registrations.map((r) => r.name)).toEqual(resources.map((r) => r.name));
        const derivations = requestDerivations(declared, recordedOptions(registrations));
        const found = [...derivations.entries()].flatMap(([i, ds]) =>
            ds.map((d) => ({
                resource: registrations[i].name,
                property: d.property,
                key: registrations[d.keyIndex].name,
                subject: d.subject,
            })),
        );
        // user1 is signed externally, user2 by the cluster; "own" brought a request, which no key of kube-access's
        // made. The renewal schedule's digest of user1's issuance depends on the key too, and stays as recorded.
        expect(found).toEqual([
            {
                resource: "user-user1-certificate",
                property: "certRequestPem",
                key: "user-user1-key",
                subject: { commonName: "user1", organizations: ["group1", "group2"] },
            },
            {
                resource: "user-user2-certificate",
                property: "requestPem",
                key: "user-user2-key",
                subject: { commonName: "user2", organizations: ["group1"] },
            },
        ]);
        const renewal = registrations.findIndex((r) => r.name === "user-user1-renewal");
        expect(Object.keys(registrations[renewal].propertyDependencies)).toContain("issuanceSha256");
    });

    it("takes only a request that depends on a key: not one that depends on other resources, nor other values", () => {
        const request = buildCsrPem(ecKeyPem(), { commonName: "alice", organizations: ["devs", "ops"] });
        const declared = [
            { type: privateKeyType, inputs: {} },
            {
                type: "tls:index/locallySignedCert:LocallySignedCert",
                inputs: { certRequestPem: request, caCertPem: "ca" },
            },
            { type: "kube-access:other", inputs: { requestPem: request } },
            { type: "kube-access:renewal", inputs: { issuanceSha256: "ab12", requestPem: request } },
        ];
        const options: RecordedOptions[] = [
            {},
            { propertyDependencies: { certRequestPem: [0], caCertPem: [0] } },
            { propertyDependencies: { requestPem: [1] } },
            { propertyDependencies: { issuanceSha256: [0] } },
        ];
        const derivations = requestDerivations(declared, options);
        expect([...derivations.entries()]).toEqual([
            [
                1,
                [
                    {
                        property: "certRequestPem",
                        keyIndex: 0,
                        subject: { commonName: "alice", organizations: ["devs", "ops"] },
                    },
                ],
            ],
        ]);
    });

    it("makes the request from the key's PEM in an apply, once per key, signed by that key", async () => {
        const { mocks } = recordingMocks(testCa().certificatePem);
        await pulumi.runtime.setMocks(mocks, "kube-access", "bench", false);
        const key = new tls.PrivateKey("alice-key", { algorithm: "ECDSA", ecdsaCurve: "P256" });
        const recorded = buildCsrPem(ecKeyPem(), { commonName: "alice", organizations: ["devs"] });
        const derivations = requestDerivations(
            [
                { type: privateKeyType, inputs: {} },
                { type: "cert", inputs: { certRequestPem: recorded } },
                { type: "cluster-signed", inputs: { requestPem: recorded } },
            ],
            [{}, { propertyDependencies: { certRequestPem: [0] } }, { propertyDependencies: { requestPem: [0] } }],
        );
        const requests = new Map<number, pulumi.Output<string>>();
        const certificateInputs = derivedRequestInputs({ caCertPem: "ca" }, derivations.get(1), [key], requests);
        const clusterSignedInputs = derivedRequestInputs({}, derivations.get(2), [key], requests);
        expect(requests.size).toBe(1);
        expect(certificateInputs.caCertPem).toBe("ca");
        const request = await promiseOf(certificateInputs.certRequestPem as pulumi.Output<string>);
        expect(await pulumi.isSecret(certificateInputs.certRequestPem as pulumi.Output<string>)).toBe(false);
        const parsed = parseCsrPem(request);
        expect(parsed).toMatchObject({ commonNames: ["alice"], organizations: ["devs"], signatureValid: true });
        const keyPem = await promiseOf(key.privateKeyPem);
        const publicKeyDer = crypto.createPublicKey(keyPem).export({ type: "spki", format: "der" });
        expect(parsed.publicKeyDer.equals(publicKeyDer)).toBe(true);
        expect(request).not.toBe(recorded);
        expect(clusterSignedInputs.requestPem).toBe(certificateInputs.certRequestPem);
        // The request's Output carries the key: the recorded dependency on it is not declared again.
        expect(
            withoutPropertyDependencies(
                { propertyDependencies: { certRequestPem: [0], caCertPem: [3] } },
                derivations.get(1)!,
            ),
        ).toEqual({ propertyDependencies: { caCertPem: [3] } });
        const dependencies = await (
            certificateInputs.certRequestPem as unknown as { resources(): Set<pulumi.Resource> }
        ).resources();
        expect([...dependencies]).toContain(key);
        // Inputs without a derivation are returned as given.
        const plain = { certRequestPem: recorded };
        expect(derivedRequestInputs(plain, undefined, [key], requests)).toBe(plain);
    });
});

describe("the hand-written raw program's kubeconfigs", () => {
    it("come from each user's key, certificate or token among the program's resources, and equal the program's", async () => {
        let registrations: RegistrationRequest[] = [];
        const { access, resources, ca } = await mockedKubeAccess(
            undefined,
            () => (registrations = recordRegistrations()),
        );
        await waitForRPCs();
        const declared = registrations.map((r) => ({ type: r.type, name: r.name }));
        const spec = validateAccessSpec(validConfig(), { secretKeys });
        const sources = credentialSources(spec, declared, recordedOptions(registrations));
        const named = (i: number | undefined) => (i === undefined ? undefined : registrations[i].name);
        expect(
            Object.fromEntries(
                [...sources].map(([user, s]) => [
                    user,
                    s.method === "certificate"
                        ? { certificate: named(s.certificate), property: s.certificateProperty, key: named(s.key) }
                        : s.method === "serviceAccount"
                          ? { token: named(s.token), namespace: s.namespace }
                          : s,
                ]),
            ),
        ).toEqual({
            user1: { certificate: "user-user1-certificate", property: "certPem", key: "user-user1-key" },
            user2: { certificate: "user-user2-certificate", property: "certificatePem", key: "user-user2-key" },
            sa1: { token: "user-sa1-token-value", namespace: "ci" },
            "da-admin": { method: "oidc" },
        });

        // The same outputs as the mocks gave the program's resources, on stand-ins for the baseline's.
        const programKubeconfigs = (await promiseOf(access.kubeconfigs)) as Record<string, string>;
        const keyOf = (user: string) =>
            Buffer.from(parse(programKubeconfigs[user]).users[0].user["client-key-data"], "base64").toString();
        const standIns: Record<string, pulumi.Output<string>>[] = registrations.map(() => ({}));
        for (const [user, s] of sources) {
            if (s.method === "certificate") {
                standIns[s.certificate][s.certificateProperty] = pulumi.output(ca.certificatePem);
                standIns[s.key!].privateKeyPem = pulumi.secret(keyOf(user));
            } else if (s.method === "serviceAccount") {
                const secretName = resources.find((r) => r.name === "user-sa1-token-value")!.inputs.secretName;
                standIns[s.token].token = pulumi.secret(`token-of-${secretName}`);
            }
        }
        const kubeconfigs = kubeconfigOutputs(spec, sources, standIns as unknown as pulumi.Resource[]);
        expect(await pulumi.isSecret(kubeconfigs)).toBe(true);
        expect(await promiseOf(kubeconfigs)).toEqual(programKubeconfigs);
    });

    it("are refused when a user's credential resource is missing", () => {
        const spec = validateAccessSpec(validConfig(), { secretKeys });
        expect(() => credentialSources(spec, [], [])).toThrow(/no certificate resource for user user1/);
        const onlyCertificates = [
            { type: "kube-access:certificates:CertificateUser", name: "user-user1" },
            { type: "tls:index/locallySignedCert:LocallySignedCert", name: "user-user1-certificate" },
            { type: "kube-access:certificates:CertificateUser", name: "user-user2" },
            { type: "pulumi-nodejs:dynamic/certificates:ClusterSignedCertificate", name: "user-user2-certificate" },
        ];
        expect(() => credentialSources(spec, onlyCertificates, [{}, { parent: 0 }, {}, { parent: 2 }])).toThrow(
            /no token resource for service account sa1/,
        );
    });
});

describe("the hand-written raw program reads its users as YAML, not validated", () => {
    it("reads every document's users and each CSR file they name, relative to the access file", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-access-hand-written-"));
        try {
            fs.mkdirSync(path.join(dir, "teams", "csr"), { recursive: true });
            fs.writeFileSync(path.join(dir, "teams", "csr", "bob.csr"), "not even checked");
            fs.writeFileSync(
                path.join(dir, "teams", "a.yaml"),
                "users:\n  - name: alice\n  - name: bob\n    auth: {certificateRequestFile: csr/bob.csr}\n---\nusers:\n  - name: 7\n",
            );
            fs.writeFileSync(path.join(dir, "teams", "b.yaml"), "groups: [x]\n");
            expect(readAccessFiles(dir, ["teams/a.yaml", "teams/b.yaml"])).toBe(3);
            fs.rmSync(path.join(dir, "teams", "csr", "bob.csr"));
            expect(() => readAccessFiles(dir, ["teams/a.yaml"])).toThrow(/bob\.csr/);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
