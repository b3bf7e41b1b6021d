import { AccessSpecError } from "../intake/reader";
import { validateAccessSpec } from "../access/validate";
import { secretKeys, validConfig } from "../../test/helpers/config";
import { testCa } from "../../test/helpers/fixtures";
import { headersToStrip, requestHeaderFlags } from "./apiServer";

/* eslint-disable @typescript-eslint/no-explicit-any */
const keys = [...secretKeys, "authenticatingProxyCaKey"];
function run(mutate: (c: any) => void) {
    const config = validConfig();
    mutate(config);
    return validateAccessSpec(config, { secretKeys: keys });
}
function issuesOf(mutate: (c: any) => void): { path: string; message: string }[] {
    try {
        run(mutate);
    } catch (e) {
        if (e instanceof AccessSpecError) return e.issues;
        throw e;
    }
    return [];
}
const proxyCa = testCa("kube-access-test-request-header-ca");

describe("authenticatingProxy config", () => {
    test("defaults: kube-access creates the CA; kubeadm's file and the documented headers", () => {
        const spec = run((c) => (c.authenticatingProxy = { proxies: [{ name: "web-console" }] }));
        expect(spec.authenticatingProxy).toEqual({
            caFile: "/etc/kubernetes/pki/front-proxy-ca.crt",
            usernameHeaders: ["X-Remote-User"],
            groupHeaders: ["X-Remote-Group"],
            extraHeadersPrefixes: ["X-Remote-Extra-"],
            caValidityHours: 87600,
            proxies: [{ name: "web-console", keyAlgorithm: "ECDSA-P256", validityHours: 8760 }],
        });
    });

    test("a supplied CA with its key is taken", () => {
        const spec = run((c) => {
            c.authenticatingProxy = { caCertificate: proxyCa.certificatePem, proxies: [{ name: "gw" }] };
            c.authenticatingProxyCaKey = proxyCa.privateKeyPem;
        });
        expect(spec.authenticatingProxy!.caCertificatePem).toContain("BEGIN CERTIFICATE");
    });

    const refused: [string, (c: any) => void, string, RegExp][] = [
        [
            "the cluster CA as request-header CA",
            (c) => {
                c.authenticatingProxy = { caCertificate: c.cluster.caCertificate, proxies: [{ name: "gw" }] };
                c.authenticatingProxyCaKey = c.clusterCaKey;
            },
            "authenticatingProxy.caCertificate",
            /is the cluster CA.*allowClusterCa: true/,
        ],
        [
            "a supplied CA without its key",
            (c) => (c.authenticatingProxy = { caCertificate: proxyCa.certificatePem, proxies: [{ name: "gw" }] }),
            "authenticatingProxyCaKey",
            /is required with authenticatingProxy.caCertificate/,
        ],
        [
            "a supplied CA with another CA's key",
            (c) => {
                c.authenticatingProxy = { caCertificate: proxyCa.certificatePem, proxies: [{ name: "gw" }] };
                c.authenticatingProxyCaKey = c.clusterCaKey;
            },
            "authenticatingProxyCaKey",
            /does not belong/,
        ],
        [
            "a CA key without a CA",
            (c) => {
                c.authenticatingProxy = { proxies: [{ name: "gw" }] };
                c.authenticatingProxyCaKey = proxyCa.privateKeyPem;
            },
            "authenticatingProxyCaKey",
            /set both, or neither/,
        ],
        [
            "no proxies",
            (c) => (c.authenticatingProxy = { proxies: [] }),
            "authenticatingProxy.proxies",
            /at least one proxy/,
        ],
        ["proxies missing", (c) => (c.authenticatingProxy = {}), "authenticatingProxy.proxies", /is required/],
        [
            "a proxy name with a comma",
            (c) => (c.authenticatingProxy = { proxies: [{ name: "a,b" }] }),
            "authenticatingProxy.proxies[0].name",
            /comma-separated/,
        ],
        [
            "a duplicate proxy name",
            (c) => (c.authenticatingProxy = { proxies: [{ name: "gw" }, { name: "gw" }] }),
            "authenticatingProxy.proxies[1].name",
            /duplicate/,
        ],
        [
            "a header with a space",
            (c) => (c.authenticatingProxy = { usernameHeaders: ["X Remote User"], proxies: [{ name: "gw" }] }),
            "authenticatingProxy.usernameHeaders[0]",
            /not an HTTP header name/,
        ],
        [
            "a relative CA file",
            (c) => (c.authenticatingProxy = { caFile: "ca.crt", proxies: [{ name: "gw" }] }),
            "authenticatingProxy.caFile",
            /absolute path/,
        ],
        [
            "a misspelt field",
            (c) => (c.authenticatingProxy = { proxys: [], proxies: [{ name: "gw" }] }),
            "authenticatingProxy.proxys",
            /did you mean "proxies"/,
        ],
        [
            "text that is no certificate as CA",
            (c) => {
                c.authenticatingProxy = { caCertificate: "x", proxies: [{ name: "gw" }] };
            },
            "authenticatingProxy.caCertificate",
            /is not a PEM certificate/,
        ],
    ];
    test.each(refused)("refuses %s, with its field path", (_label, breakIt, path, message) => {
        expect(issuesOf(breakIt)).toEqual(expect.arrayContaining([{ path, message: expect.stringMatching(message) }]));
    });

    test("the cluster CA is allowed with allowClusterCa", () => {
        expect(
            issuesOf((c) => {
                c.authenticatingProxy = {
                    caCertificate: c.cluster.caCertificate,
                    allowClusterCa: true,
                    proxies: [{ name: "gw" }],
                };
                c.authenticatingProxyCaKey = c.clusterCaKey;
            }),
        ).toEqual([]);
    });

    test("the CA key must be stored as a secret", () => {
        const config = validConfig();
        config.authenticatingProxy = { caCertificate: proxyCa.certificatePem, proxies: [{ name: "gw" }] };
        config.authenticatingProxyCaKey = proxyCa.privateKeyPem;
        expect(() => validateAccessSpec(config, { secretKeys })).toThrow(
            /authenticatingProxyCaKey: holds a secret but is stored in plain text/,
        );
    });
});

describe("kube-apiserver request-header flags", () => {
    test("every flag, allowed names from the proxies", () => {
        const spec = run(
            (c) =>
                (c.authenticatingProxy = {
                    caFile: "/etc/k8s/rh-ca.crt",
                    groupHeaders: ["X-Remote-Group", "X-Forwarded-Groups"],
                    proxies: [{ name: "web-console" }, { name: "api-gateway" }],
                }),
        );
        expect(requestHeaderFlags(spec.authenticatingProxy!)).toEqual([
            "--requestheader-client-ca-file=/etc/k8s/rh-ca.crt",
            "--requestheader-allowed-names=web-console,api-gateway",
            "--requestheader-username-headers=X-Remote-User",
            "--requestheader-group-headers=X-Remote-Group,X-Forwarded-Groups",
            "--requestheader-extra-headers-prefix=X-Remote-Extra-",
        ]);
        expect(headersToStrip(spec.authenticatingProxy!)).toEqual(
            expect.arrayContaining(["X-Remote-User", "X-Forwarded-Groups", "X-Remote-Extra-*", "Impersonate-User"]),
        );
    });
});
