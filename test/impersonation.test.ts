import * as YAML from "yaml";
import { MockedKubeAccess, RecordedResource, isSecret, mockedKubeAccess, promiseOf } from "./helpers/mocks";

// Mock-based: what the program asks the kubernetes provider for when config
// grants impersonation. test/e2e/impersonation.test.ts is the proof on a cluster.
let resources: RecordedResource[];
let access: MockedKubeAccess["access"];

const byType = (type: string): RecordedResource[] => resources.filter((r) => r.type === type);

beforeAll(async () => {
    ({ access, resources } = await mockedKubeAccess((config) => {
        config.impersonation = [
            { name: "support", impersonators: [{ user: "user1" }], targets: [{ user: "user2" }, { user: "sa1" }] },
        ];
    }));
});

describe("impersonation objects", () => {
    test("a ClusterRole for the user target and its groups, a Role in the service account's namespace", () => {
        const [clusterRole] = byType("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole");
        expect(clusterRole.inputs.metadata.name).toBe("kube-access:impersonate:support");
        expect(clusterRole.inputs.rules).toEqual([
            { apiGroups: [""], resources: ["users"], verbs: ["impersonate"], resourceNames: ["user2"] },
            { apiGroups: [""], resources: ["groups"], verbs: ["impersonate"], resourceNames: ["group1"] },
        ]);
        const [role] = byType("kubernetes:rbac.authorization.k8s.io/v1:Role");
        expect(role.inputs.metadata).toMatchObject({ name: "kube-access:impersonate:support", namespace: "ci" });
        expect(role.inputs.rules).toEqual([
            { apiGroups: [""], resources: ["serviceaccounts"], verbs: ["impersonate"], resourceNames: ["sa1"] },
        ]);
    });

    test("user1 is bound to both, and nobody else", () => {
        const bindings = [
            ...byType("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding"),
            ...byType("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding"),
        ].filter((b) => b.inputs.roleRef.name === "kube-access:impersonate:support");
        expect(bindings.map((b) => [b.inputs.metadata.namespace, b.inputs.roleRef.kind, b.inputs.subjects])).toEqual(
            expect.arrayContaining([
                [undefined, "ClusterRole", [{ kind: "User", name: "user1", apiGroup: "rbac.authorization.k8s.io" }]],
                ["ci", "Role", [{ kind: "User", name: "user1", apiGroup: "rbac.authorization.k8s.io" }]],
            ]),
        );
        expect(bindings).toHaveLength(2);
    });
});

describe("outputs", () => {
    test("user1's kubeconfig, still secret, has a context acting as each target", async () => {
        expect(await isSecret(access.kubeconfigs)).toBe(true);
        const doc = YAML.parse((await promiseOf(access.kubeconfigs)).user1);
        expect(doc["current-context"]).toBe("user1@demo");
        const asUser2 = doc.users.find((u: { name: string }) => u.name === "user1-as-user2").user;
        expect(asUser2).toMatchObject({ as: "user2", "as-groups": ["group1"] });
        expect(asUser2["client-key-data"]).toBe(doc.users[0].user["client-key-data"]);
        expect(doc.contexts.map((c: { name: string }) => c.name)).toEqual([
            "user1@demo",
            "user1-as-user2@demo",
            "user1-as-sa1@demo",
        ]);
        expect(YAML.parse((await promiseOf(access.kubeconfigs)).user2).contexts).toHaveLength(1);
    });

    test("the users output says who may impersonate whom", async () => {
        const users = await promiseOf(access.users);
        expect(users.find((u) => u.name === "user1")!.mayImpersonate).toEqual([
            "user:user2",
            "group:group1",
            "serviceaccount:ci/sa1",
        ]);
        expect(users.find((u) => u.name === "user2")!.mayImpersonate).toBeUndefined();
    });
});
