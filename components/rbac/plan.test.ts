import { validateAccessSpec } from "../spec/validate";
import { secretKeys, validConfig } from "../../test/helpers/config";
import { planRoleBindings, subjectsForGroup } from "./plan";

/* eslint-disable @typescript-eslint/no-explicit-any */
function specWith(mutate: (c: any) => void) {
    const config = validConfig();
    mutate(config);
    return validateAccessSpec(config, { secretKeys });
}

describe("planRoleBindings", () => {
    test("a group with certificate and OIDC members is bound in both forms", () => {
        const spec = specWith((c) => {
            c.users[3].groups = ["group1", "admins"];
        });
        expect(subjectsForGroup("group1", spec).map((s) => s.name)).toEqual(["group1", "oidc:group1"]);
    });

    test("one RoleBinding per namespace for a namespaced binding", () => {
        const spec = specWith(
            (c) => (c.bindings = [{ role: "pod-reader", namespaces: ["a", "b"], subjects: [{ user: "user1" }] }]),
        );
        expect(planRoleBindings(spec).map((b) => [b.kind, b.namespace, b.objectName, b.roleRef.kind])).toEqual([
            ["RoleBinding", "a", "kube-access:role-pod-reader:user:user1", "Role"],
            ["RoleBinding", "b", "kube-access:role-pod-reader:user:user1", "Role"],
        ]);
    });

    test("external subjects are bound exactly as written", () => {
        const spec = specWith((c) => c.bindings[0].subjects.push({ user: "alice@corp.example", external: true }));
        expect(planRoleBindings(spec).map((b) => b.subject)).toContainEqual({
            kind: "User",
            name: "alice@corp.example",
        });
    });

    test("OIDC users bound directly get the username prefix; with the email claim, their email", () => {
        const byName = specWith((c) =>
            c.bindings.push({ name: "da", clusterRole: "view", subjects: [{ user: "da-admin" }] }),
        );
        expect(planRoleBindings(byName).find((b) => b.bindingName === "da")!.subject).toEqual({
            kind: "User",
            name: "oidc:da-admin",
        });
        const byEmail = specWith((c) => {
            c.oidc.usernameClaim = "email";
            c.bindings.push({ name: "da", clusterRole: "view", subjects: [{ user: "da-admin" }] });
        });
        expect(planRoleBindings(byEmail).find((b) => b.bindingName === "da")!.subject).toEqual({
            kind: "User",
            name: "oidc:da@example.com",
        });
    });

    test("removing a user from config removes exactly that user's binding objects", () => {
        const before = planRoleBindings(specWith(() => undefined)).map((b) => b.objectName);
        const after = planRoleBindings(
            specWith((c) => {
                c.users.splice(2, 1);
                c.bindings[0].subjects = c.bindings[0].subjects.filter((s: any) => s.user !== "sa1");
            }),
        ).map((b) => b.objectName);
        expect(before.filter((n) => !after.includes(n))).toEqual([
            "kube-access:clusterrole-view:serviceaccount:ci:sa1",
        ]);
        expect(after.filter((n) => !before.includes(n))).toEqual([]);
    });
});
