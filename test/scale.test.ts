import * as csrModule from "../components/x509/csr";
import { AccessSpec } from "../components/model/types";
import { validateAccessSpec } from "../components/access/validate";
import {
    GrantDetail,
    PlannedBinding,
    RbacSubject,
    grantDetailsByUser,
    grantsByUser,
    planRoleBindings,
    subjectForUser,
} from "../components/rbac/plan";
import { accessFromSpec } from "../components/report/snapshot";
import { apiServerGroups } from "../components/model/identity";
import { GeneratedMethod, generateAccess } from "../scripts/lib/generatedAccess";
import { secretKeys, validConfig } from "./helpers/config";

// Issue 17: planning and grant summaries were O(users x bindings) (31 s at
// 4,000 users) and each user's own CSR was parsed twice in validation.

const withoutCsr: GeneratedMethod[] = ["certificate-cluster", "certificate-external", "serviceAccount", "oidc"];

function generatedSpec(n: number, methods: GeneratedMethod[] = withoutCsr): AccessSpec {
    const generated = generateAccess(n, methods);
    const users = generated.users.map((u) => {
        const auth = u.auth as Record<string, unknown>;
        if (auth.certificateRequestFile === undefined) return u;
        const { certificateRequestFile, ...rest } = auth;
        return { ...u, auth: { ...rest, certificateRequest: generated.csrFiles[certificateRequestFile as string] } };
    });
    return validateAccessSpec(
        { ...validConfig(), users, namespaces: generated.namespaces, bindings: generated.bindings },
        { secretKeys },
    );
}

/** Passes a value through the read counter of `readsDuring`. */
type Counted = <V>(value: V) => V;

/**
 * Runs `work` on a view of `spec` that counts every property read of the
 * spec's objects and arrays, at any depth (one view per object, so identity
 * holds for Maps and Sets keyed by them); `work` passes what it computes in
 * between (the plan) through `counted` to have its reads counted too.
 */
function readsDuring<T>(
    spec: AccessSpec,
    work: (spec: AccessSpec, counted: Counted) => T,
): { reads: number; result: T } {
    let reads = 0;
    const views = new WeakMap<object, object>();
    const view: Counted = (value) => {
        if (typeof value !== "object" || value === null) return value;
        const known = views.get(value);
        if (known) return known as typeof value;
        const proxy = new Proxy(value, {
            get(target, key, receiver) {
                reads++;
                return view(Reflect.get(target, key, receiver));
            },
        });
        views.set(value, proxy);
        return proxy;
    };
    const result = work(view(spec), view);
    return { reads, result };
}

/** The summaries as they were computed before the subject index: a scan of the plan per user. */
function scannedGrants(spec: AccessSpec, planned: PlannedBinding[]): Record<string, string[]> {
    const same = (a: RbacSubject, b: RbacSubject) =>
        a.kind === b.kind && a.name === b.name && a.namespace === b.namespace;
    return Object.fromEntries(
        spec.users.map((user) => {
            const ids = [
                subjectForUser(user, spec.oidc),
                ...apiServerGroups(user, spec.oidc).map((g): RbacSubject => ({ kind: "Group", name: g })),
            ];
            return [
                user.name,
                planned
                    .filter((p) => ids.some((s) => same(p.subject, s)))
                    .map(
                        (p) =>
                            `${p.roleRef.kind}/${p.roleRef.name} ${p.namespace ? `in ${p.namespace}` : "cluster-wide"} (${p.objectName})`,
                    ),
            ];
        }),
    );
}

describe("at scale", () => {
    test("grant summaries by subject index equal a scan of the whole plan, in plan order", () => {
        const spec = generatedSpec(240);
        const planned = planRoleBindings(spec);
        expect(grantsByUser(spec, planned)).toEqual(scannedGrants(spec, planned));
        const details = grantDetailsByUser(spec, planned);
        // Every user holds its team's and its role group's grants (service accounts: their team's only).
        for (const user of spec.users) {
            const expected = user.auth.method === "serviceAccount" ? 1 : 2;
            expect(details[user.name].length).toBe(expected);
            expect(new Set(details[user.name].map((d: GrantDetail) => d.binding)).size).toBe(expected);
        }
    });

    // Timing lives in `npm run bench`; here the growth is counted: every read of
    // the spec's and the plan's fields, at n and 2n users. Linear work reads
    // about twice as much at 2n; the per-user scan it replaced, four times.
    test("planning and every per-user summary read the spec and plan in linear proportion to the users", () => {
        const work = (spec: AccessSpec, counted: Counted) => {
            const planned = counted(planRoleBindings(spec));
            grantsByUser(spec, planned);
            grantDetailsByUser(spec, planned);
            accessFromSpec(spec);
            return planned;
        };
        const [small, large] = [1000, 2000].map((n) => readsDuring(generatedSpec(n), work));
        expect(large.result.length).toBeGreaterThan(500); // a binding object per service account, per group form
        expect(large.reads / small.reads).toBeLessThan(2.3);
    });

    test("the read count tells quadratic work from linear: the old per-user scan of the plan grows fourfold", () => {
        const scan = (spec: AccessSpec, counted: Counted) => scannedGrants(spec, counted(planRoleBindings(spec)));
        const [small, large] = [500, 1000].map((n) => readsDuring(generatedSpec(n), scan));
        expect(large.reads / small.reads).toBeGreaterThan(3.5);
    });

    test("validation parses each user's own CSR once", () => {
        const parse = jest.spyOn(csrModule, "parseCsrPem");
        try {
            const spec = generatedSpec(60, ["certificate-csr", "serviceAccount"]);
            expect(spec.users.filter((u) => u.auth.method === "certificate")).toHaveLength(30);
            // validConfig() itself has no user CSR.
            expect(parse).toHaveBeenCalledTimes(30);
        } finally {
            parse.mockRestore();
        }
    });
});
