import { AccessSpec } from "../model/types";
import { GrantDetail, UnlistedSubject, grantDetailsByUser, planRoleBindings, unlistedSubjects } from "../rbac/plan";
import { apiServerUsername } from "../model/identity";
import { credentialSummary } from "../access/summary";
import { impersonationsByUser, impersonatorsBySubject } from "../impersonation/plan";
import { AccessEntry } from "./model";

/** What a validated spec would grant: the `users` output the program would make, without expiry dates. */
export function accessFromSpec(spec: AccessSpec): AccessEntry[] {
    const details = grantDetailsByUser(spec, planRoleBindings(spec));
    const mayImpersonate = impersonationsByUser(spec);
    return spec.users.map((u) => ({
        name: u.name,
        method: u.auth.method,
        ...(u.auth.method === "certificate"
            ? { signer: u.auth.signer, keyHeldBy: u.auth.certificateRequestPem ? "user" : "kube-access" }
            : {}),
        identity: apiServerUsername(u, spec.oidc),
        groups: u.groups,
        grants: details[u.name],
        mayImpersonate: mayImpersonate[u.name] ?? [],
        credential: credentialSummary(u),
    }));
}

/** A grant line of the `users` output: `ClusterRole/view in default (kube-access:<binding>:<kind>:<identity>)`. */
const grantLine =
    /^(ClusterRole|Role)\/(.+) (?:in (\S+)|cluster-wide) \(kube-access:([^:]+):(user|group|serviceaccount):(.+)\)$/;

/** Reads one grant line of a stack deployed before the `users` output carried `grantDetails`. */
export function parseGrantLine(line: string): GrantDetail | undefined {
    const m = grantLine.exec(line);
    if (!m) return undefined;
    const [, roleKind, role, namespace, binding, kind, identity] = m;
    return {
        roleKind: roleKind as GrantDetail["roleKind"],
        role,
        ...(namespace ? { namespace } : {}),
        binding,
        via: kind === "group" ? { kind: "group", group: identity } : { kind: "user" },
    };
}

function isObject(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

function strings(v: unknown): string[] | undefined {
    return Array.isArray(v) && v.every((s) => typeof s === "string") ? v : undefined;
}

/**
 * Reads a deployed stack's `users` output (`pulumi stack output users
 * --json`): a map from user name to summary, or the list that stacks deployed
 * before that change hold. Undefined (no output yet) reads as nobody. Throws
 * when the value is neither.
 */
export function accessFromUsersOutput(value: unknown): AccessEntry[] {
    if (value === undefined || value === null) return [];
    const list = Array.isArray(value) ? value : isObject(value) ? Object.values(value) : undefined;
    if (!list) throw new Error("the stack's users output is neither a map of user summaries nor a list");
    return list.map((u, i) => {
        if (!isObject(u) || typeof u.name !== "string" || typeof u.method !== "string") {
            throw new Error(`the stack's users output has an entry without name and method (users[${i}])`);
        }
        const lines = strings(u.grants) ?? [];
        const grants = Array.isArray(u.grantDetails)
            ? (u.grantDetails as GrantDetail[])
            : lines.map((line) => {
                  const grant = parseGrantLine(line);
                  if (!grant) throw new Error(`users[${i}].grants has a line kube-access cannot read: ${line}`);
                  return grant;
              });
        return {
            name: u.name,
            method: u.method,
            ...(typeof u.signer === "string" ? { signer: u.signer } : {}),
            identity: typeof u.identity === "string" ? u.identity : u.name,
            groups: strings(u.groups) ?? [],
            ...(typeof u.keyHeldBy === "string" ? { keyHeldBy: u.keyHeldBy } : {}),
            ...(typeof u.expiresAt === "string" ? { expiresAt: u.expiresAt } : {}),
            grants,
            mayImpersonate: strings(u.mayImpersonate) ?? [],
            ...(isObject(u.credential) ? { credential: u.credential } : {}),
        };
    });
}

/** What a validated spec would grant to bound users and groups no user in config stands for. */
export function subjectsFromSpec(spec: AccessSpec): UnlistedSubject[] {
    return unlistedSubjects(spec, planRoleBindings(spec), impersonatorsBySubject(spec));
}

/**
 * Reads a deployed stack's `unlistedSubjects` output (`pulumi stack output
 * unlistedSubjects --json`): a map from `user:<name>` or `group:<name>` to
 * the subject and its grants. Undefined when the stack has no such output
 * (deployed before it existed, or never): the report then lists every such
 * grant the config makes as not compared. Throws when the value is malformed.
 */
export function subjectsFromOutput(value: unknown): UnlistedSubject[] | undefined {
    if (value === undefined || value === null) return undefined;
    if (!isObject(value)) throw new Error("the stack's unlistedSubjects output is not a map of subjects");
    return Object.entries(value).map(([subject, s]) => {
        if (
            !isObject(s) ||
            (s.kind !== "User" && s.kind !== "Group") ||
            typeof s.name !== "string" ||
            !Array.isArray(s.grantDetails)
        ) {
            throw new Error(
                `the stack's unlistedSubjects output has an entry without kind, name and grantDetails (${subject})`,
            );
        }
        return {
            subject,
            kind: s.kind,
            name: s.name,
            reason: s.reason === "no-listed-member" ? "no-listed-member" : "external",
            grants: s.grantDetails as GrantDetail[],
            mayImpersonate: strings(s.mayImpersonate) ?? [],
            ...(typeof s.note === "string" ? { note: s.note } : {}),
        };
    });
}

/** The authenticating proxies' names a validated spec would list (`--requestheader-allowed-names`). */
export function proxiesFromSpec(spec: AccessSpec): string[] {
    return spec.authenticatingProxy?.proxies.map((p) => p.name) ?? [];
}

/**
 * The authenticating proxies' names a deployed stack lists: the value of
 * `--requestheader-allowed-names` in its `authenticatingProxy` output's
 * `apiServerFlags`; none when it has no such output (no proxies). Throws
 * when the output has no such flag.
 */
export function proxiesFromOutput(value: unknown): string[] {
    if (value === undefined || value === null) return [];
    const flags = isObject(value) ? strings(value.apiServerFlags) : undefined;
    const flag = flags?.find((f) => f.startsWith("--requestheader-allowed-names="));
    if (flag === undefined)
        throw new Error(
            "the stack's authenticatingProxy output has no --requestheader-allowed-names in apiServerFlags",
        );
    return flag
        .slice("--requestheader-allowed-names=".length)
        .split(",")
        .filter((name) => name !== "");
}
