/**
 * Generated users, namespaces and bindings for scale tests and the benchmark
 * (`npm run bench`): N users of the given auth methods in rotation, in teams
 * of about 50, each certificate or OIDC user in 2 groups (their team and a
 * role group); service-account users have none (the API server sets theirs).
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { stringify } from "yaml";
import { buildCsrPem } from "../../components/x509/csr";

/** The kinds of user generated, in rotation. */
export const generatedMethods = [
    "certificate-csr", // the user's own CSR (given as a file), cluster signer
    "certificate-cluster", // key made by kube-access, cluster signer
    "certificate-external", // key made by kube-access, signed with the CA key in config
    "serviceAccount",
    "oidc",
] as const;
export type GeneratedMethod = (typeof generatedMethods)[number];

/** What {@link generateAccess} makes. */
export interface GeneratedAccess {
    users: Record<string, unknown>[];
    namespaces: string[];
    bindings: Record<string, unknown>[];
    /** CSR PEM by path relative to the access file (`csr/<user>.csr`), for `certificate-csr` users. */
    csrFiles: Record<string, string>;
    /** How many users of each kind. */
    counts: Record<GeneratedMethod, number>;
}

/** One P-256 key for every generated CSR: the subject differs, which is all validation and signing look at. */
let csrKey: string | undefined;
/** The private key of every generated CSR (PKCS#8 PEM), for tests that log in as those users. */
export function csrKeyPem(): string {
    csrKey ??= crypto
        .generateKeyPairSync("ec", { namedCurve: "P-256" })
        .privateKey.export({ type: "pkcs8", format: "pem" }) as string;
    return csrKey;
}

/**
 * `n` users of `methods` in rotation (user i has `methods[i % methods.length]`),
 * in `ceil(n / teamSize)` teams of consecutive users, the users with groups
 * alternately in role-dev and role-ops, with one namespace per team, one binding per
 * team (ClusterRole edit in its namespace, to its group and its service
 * accounts) and one cluster-wide view binding per role group.
 */
export function generateAccess(
    n: number,
    methods: readonly GeneratedMethod[] = generatedMethods,
    opts: { teamSize?: number; prefix?: string } = {},
): GeneratedAccess {
    const teamSize = opts.teamSize ?? 50;
    const prefix = opts.prefix ?? "u";
    const teams = Math.max(1, Math.ceil(n / teamSize));
    const width = String(n).length;
    const users: Record<string, unknown>[] = [];
    const csrFiles: Record<string, string> = {};
    const counts = Object.fromEntries(generatedMethods.map((m) => [m, 0])) as Record<GeneratedMethod, number>;
    const teamBots: string[][] = Array.from({ length: teams }, () => []);
    let grouped = 0;
    for (let i = 0; i < n; i++) {
        const method = methods[i % methods.length];
        counts[method]++;
        const team = Math.floor(i / teamSize);
        const name = `${prefix}${String(i).padStart(width, "0")}-${method.replace("certificate-", "cert-").toLowerCase()}`;
        const groups =
            method === "serviceAccount" ? [] : [`team-${team}`, grouped++ % 2 === 0 ? "role-dev" : "role-ops"];
        switch (method) {
            case "certificate-csr": {
                const file = `csr/${name}.csr`;
                csrFiles[file] = buildCsrPem(csrKeyPem(), { commonName: name, organizations: groups });
                users.push({
                    name,
                    groups,
                    auth: { method: "certificate", signer: "cluster", certificateRequestFile: file },
                });
                break;
            }
            case "certificate-cluster":
            case "certificate-external":
                users.push({
                    name,
                    groups,
                    auth: {
                        method: "certificate",
                        signer: method === "certificate-cluster" ? "cluster" : "external",
                        keyAlgorithm: "ECDSA-P256",
                    },
                });
                break;
            case "serviceAccount":
                users.push({ name, auth: { method: "serviceAccount", namespace: `team-${team}` } });
                teamBots[team].push(name);
                break;
            case "oidc":
                users.push({
                    name,
                    groups,
                    auth: { method: "oidc", email: `${name}@example.com`, firstName: "Generated", lastName: "User" },
                });
                break;
        }
    }
    const bindings: Record<string, unknown>[] = [];
    for (let team = 0; team < teams; team++) {
        bindings.push({
            name: `team-${team}-edit`,
            clusterRole: "edit",
            namespaces: [`team-${team}`],
            subjects: [{ group: `team-${team}` }, ...teamBots[team].map((user) => ({ user }))],
        });
    }
    bindings.push({ name: "role-dev-view", clusterRole: "view", subjects: [{ group: "role-dev" }] });
    bindings.push({ name: "role-ops-view", clusterRole: "view", subjects: [{ group: "role-ops" }] });
    const namespaces = Array.from({ length: teams }, (_, team) => `team-${team}`);
    return { users, namespaces, bindings, csrFiles, counts };
}

/** Writes the access files (one per team) and CSR files of `n` generated users into `projectDir`. */
export function writeAccessFiles(
    projectDir: string,
    n: number,
    methods: readonly GeneratedMethod[],
): { accessFiles: string[]; counts: Record<string, number> } {
    const generated = generateAccess(n, methods);
    const files: Record<string, { users: unknown[]; bindings: unknown[]; namespaces: string[] }> = {};
    generated.users.forEach((user, i) => {
        const file = `teams/team-${Math.floor(i / 50)}.yaml`; // generateAccess's teams of 50
        (files[file] ??= { users: [], bindings: [], namespaces: [] }).users.push(user);
    });
    generated.namespaces.forEach((ns, team) => {
        const file = `teams/team-${team}.yaml`;
        (files[file] ??= { users: [], bindings: [], namespaces: [] }).namespaces.push(ns);
    });
    for (const binding of generated.bindings) {
        const team = /^team-(\d+)-/.exec(binding.name as string);
        const file = team ? `teams/team-${team[1]}.yaml` : "teams/roles.yaml";
        (files[file] ??= { users: [], bindings: [], namespaces: [] }).bindings.push(binding);
    }
    for (const [file, content] of Object.entries(files)) {
        fs.mkdirSync(path.join(projectDir, path.dirname(file)), { recursive: true });
        fs.writeFileSync(path.join(projectDir, file), stringify(content));
    }
    for (const [file, pem] of Object.entries(generated.csrFiles)) {
        const target = path.join(projectDir, "teams", file);
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, pem);
    }
    return { accessFiles: Object.keys(files), counts: generated.counts };
}
