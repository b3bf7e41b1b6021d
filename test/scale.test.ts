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

    test("planning and every per-user summary of 4,000 users take under a second", () => {
        const spec = generatedSpec(4000);
        const started = performance.now();
        const planned = planRoleBindings(spec);
        grantsByUser(spec, planned);
        grantDetailsByUser(spec, planned);
        accessFromSpec(spec);
        const seconds = (performance.now() - started) / 1000;
        expect(planned.length).toBeGreaterThan(1000); // a binding object per service account, per group form
        expect(seconds).toBeLessThan(1);
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
