import { validateAccessSpec } from "../access/validate";
import { secretKeys, validConfig } from "../../test/helpers/config";
import { ownedNamespaces } from ".";

/* eslint-disable @typescript-eslint/no-explicit-any */
function specWith(mutate: (c: any) => void) {
    const config = validConfig();
    mutate(config);
    return validateAccessSpec(config, { secretKeys });
}

describe("namespaces kube-access creates", () => {
    test.each([
        ["none by default", () => undefined, []],
        [
            "a service-account user's, with createNamespace",
            (c: any) => (c.users[2].auth.createNamespace = true),
            ["ci"],
        ],
        ["those listed in kube-access:namespaces", (c: any) => (c.namespaces = ["team-b", "ci"]), ["ci", "team-b"]],
        [
            "each once, when listed and asked for by a user",
            (c: any) => {
                c.namespaces = ["ci"];
                c.users[2].auth.createNamespace = true;
            },
            ["ci"],
        ],
    ])("%s", (_label, mutate, expected) => {
        expect(ownedNamespaces(specWith(mutate as (c: any) => void))).toEqual(expected);
    });

    test("a listed namespace stays when the user who asked for it is replaced by one who does not (sa1 -> sa2)", () => {
        const before = specWith((c) => {
            c.namespaces = ["ci"];
            c.users[2].auth.createNamespace = true;
        });
        const after = specWith((c) => {
            c.namespaces = ["ci"];
            c.users[2].name = "sa2";
            c.bindings = c.bindings.filter((b: any) => !b.subjects.some((s: any) => s.user === "sa1"));
        });
        expect(ownedNamespaces(after)).toEqual(ownedNamespaces(before));
    });

    test.each([
        ["kube_system", /did you mean "kube-system"|DNS-1123|lower case/],
        ["Default", /did you mean "default"|lower case/],
    ])("kube-access:namespaces refuses %s with its path", (name, message) => {
        expect(() => specWith((c) => (c.namespaces = ["ci", name]))).toThrow(/kube-access:namespaces\[1\]/);
        expect(() => specWith((c) => (c.namespaces = ["ci", name]))).toThrow(message);
    });
});
