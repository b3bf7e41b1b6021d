/**
 * What to do about each operation a killed `pulumi up` left pending in the
 * stack's state (`deployment.pending_operations` of `pulumi stack export`).
 * Pure: the caller looks objects up and acts.
 *
 * A pending create means the engine asked a provider to make an object and
 * never heard back, so the object may exist without the state knowing. For
 * most of what kube-access makes that is harmless: the next `pulumi up`
 * makes it again in place (the kubernetes provider applies server-side, so
 * an existing object of the same name is taken over; kube-access's own CSR
 * and token resources remove a leftover object of their name first; keys
 * from the tls provider exist only in the state). A Keycloak object is
 * different: creating a user whose username is taken fails ("User exists
 * with same username"), and the user a killed run made may have no password
 * yet. So a Keycloak user the killed run made is deleted, and the next
 * `pulumi up` makes it again, with its initial password.
 */

/** One entry of `pending_operations` in an exported deployment (apitype.OperationV2). */
export interface PendingOperation {
    type: string;
    resource: { urn: string; type: string; inputs?: Record<string, unknown> };
}

/** What recovery does about one pending operation. */
export type RecoveryStep =
    | { kind: "clear"; urn: string; reason: string }
    | { kind: "keycloakUser"; urn: string; realm: string; username: string; email?: string }
    | { kind: "check"; urn: string; reason: string };

/** Resource types (Pulumi type tokens) whose create the next `pulumi up` repeats safely. */
const repeatable: [RegExp, string][] = [
    [/^kubernetes:/, "the kubernetes provider applies server-side: an object of the same name is taken over"],
    [/^tls:/, "exists only in the state"],
    [/^pulumi-nodejs:dynamic\/rotation:/, "rotation bookkeeping: nothing outside the state"],
    [/^pulumi-nodejs:dynamic\//, "kube-access removes a leftover object of the same name before making it again"],
    [/^keycloak:index\/userGroups:UserGroups$/, "setting a user's groups again is harmless"],
    [/^(kube-access|pulumi):/, "a component: nothing outside the state"],
];

function plainString(value: unknown): string | undefined {
    return typeof value === "string" ? value : undefined;
}

/**
 * The recovery step for each pending operation. Only creates can leave an
 * unrecorded object; other kinds (an interrupted update or delete) are left
 * to `pulumi refresh`, which reads the object's real state.
 */
export function planRecovery(pending: PendingOperation[]): RecoveryStep[] {
    return pending.map((op): RecoveryStep => {
        const { urn, type, inputs = {} } = op.resource;
        if (op.type !== "creating") {
            return { kind: "clear", urn, reason: `interrupted while ${op.type}: pulumi refresh reads its real state` };
        }
        if (type === "keycloak:index/user:User") {
            const realm = plainString(inputs.realmId);
            const username = plainString(inputs.username);
            if (realm && username)
                return { kind: "keycloakUser", urn, realm, username, email: plainString(inputs.email) };
            return { kind: "check", urn, reason: "its realm or username is not known yet (or is secret)" };
        }
        const safe = repeatable.find(([pattern]) => pattern.test(type));
        if (safe) return { kind: "clear", urn, reason: safe[1] };
        return {
            kind: "check",
            urn,
            reason:
                "the killed run may have made it: if it exists, delete it (it holds nothing yet) or adopt it " +
                "with `pulumi import`, then run `pulumi up`",
        };
    });
}

/** A Keycloak user as the admin REST API lists it (`GET /admin/realms/{realm}/users`). */
export interface KeycloakUserRecord {
    id: string;
    username: string;
    email?: string;
    /** Milliseconds since the epoch. */
    createdTimestamp?: number;
}

/**
 * Whether `found` is the user the killed run made: created after the last
 * recorded update of the stack ended (`lastUpdateEnd`, milliseconds), or,
 * when the stack has no recorded update, with the email it was declared
 * with. A user made earlier is someone else's: recovery leaves it alone.
 */
export function madeByKilledRun(
    step: Extract<RecoveryStep, { kind: "keycloakUser" }>,
    found: KeycloakUserRecord,
    lastUpdateEnd: number | undefined,
): boolean {
    if (found.username.toLowerCase() !== step.username.toLowerCase()) return false;
    if (lastUpdateEnd !== undefined) return (found.createdTimestamp ?? 0) >= lastUpdateEnd;
    return step.email !== undefined && found.email?.toLowerCase() === step.email.toLowerCase();
}
